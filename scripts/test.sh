#!/usr/bin/env bash
# make test: services, browser prerequisites, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
STATE_DIR=${STATE_DIR:-/tmp/fastlegeadministrasjon-state}

eval "$($BIN/python scripts/services.py env --state-dir "$STATE_DIR")"
export DATABASE_URL REDIS_URL
trap '$BIN/python scripts/services.py stop --state-dir "$STATE_DIR" || true' EXIT

scripts/browser_prerequisites.sh
$BIN/ruff check .

set +e
$BIN/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest ran no tests: that is a failure here." >&2
  exit 1
fi
exit "$status"
