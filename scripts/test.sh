#!/usr/bin/env bash
# make test: services, browser prerequisites, then the whole test suite.
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap stop_services EXIT

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
