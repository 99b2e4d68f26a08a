#!/usr/bin/env bash
# make bench: the benchmarks in bench/ against real PostgreSQL and Redis. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
STATE_DIR=${STATE_DIR:-/tmp/fastlegeadministrasjon-state}
eval "$($BIN/python scripts/services.py env --state-dir "$STATE_DIR")"
export DATABASE_URL REDIS_URL
trap '$BIN/python scripts/services.py stop --state-dir "$STATE_DIR" || true' EXIT
# Generous throttles: the benchmarks make many requests as one user.
API_THROTTLE_USER=100000/min $BIN/python -m pytest bench -p no:cacheprovider -q -s "$@"
