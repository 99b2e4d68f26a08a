#!/usr/bin/env bash
# make bench: the benchmarks in bench/ against real PostgreSQL and Redis. Not part of CI.
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap stop_services EXIT
# Generous throttles: the benchmarks make many requests as one user.
API_THROTTLE_USER=100000/min $BIN/python -m pytest bench -p no:cacheprovider -q -s "$@"
