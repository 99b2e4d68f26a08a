# Sourced by run.sh, test.sh and bench.sh: the project folder, the virtual environment, and
# PostgreSQL and Redis (reused when running, else throwaway servers; see scripts/services.py).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=.venv/bin
STATE_DIR=${STATE_DIR:-/tmp/fastlegeadministrasjon-state}
# Assigned first: `eval "$(failing command)"` would succeed and hide the failure from `set -e`.
service_env=$($BIN/python scripts/services.py env --state-dir "$STATE_DIR")
eval "$service_env"
export DATABASE_URL REDIS_URL

stop_services() {
  $BIN/python scripts/services.py stop --state-dir "$STATE_DIR" || true
}
