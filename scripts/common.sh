# Sourced by run.sh, test.sh and bench.sh: the project folder, the virtual environment, and
# PostgreSQL and Redis (reused when running, else throwaway servers; see scripts/services.py).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=.venv/bin
STATE_DIR=${STATE_DIR:-/tmp/fastlegeadministrasjon-state}
eval "$($BIN/python scripts/services.py env --state-dir "$STATE_DIR")"
export DATABASE_URL REDIS_URL

stop_services() {
  $BIN/python scripts/services.py stop --state-dir "$STATE_DIR" || true
}
