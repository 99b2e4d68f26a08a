#!/usr/bin/env bash
# make run: services, migrations, demo data, then web + Celery worker + Celery beat.
# Ctrl-C stops everything this script started (and throwaway servers it started).
set -euo pipefail
PORT=${PORT:-8000}
source "$(dirname "$0")/common.sh"
export DEBUG=${DEBUG:-true}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export DJANGO_SETTINGS_MODULE=config.settings_dev

pids=()
cleanup() {
  trap - EXIT INT TERM
  echo; echo "Stopper web, worker og beat ..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_services
}
trap cleanup EXIT INT TERM

if (echo > /dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
  echo "Port $PORT er allerede i bruk. Stopp det som kjører der, eller kjør: PORT=8001 make run" >&2
  exit 1
fi

mkdir -p "$STATE_DIR"
$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo

$BIN/celery -A config worker --loglevel INFO --pool solo --concurrency 1 -n "fastlege-dev-$$@%h" &
pids+=($!)
$BIN/celery -A config beat --loglevel INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler \
  --pidfile "$STATE_DIR/celerybeat.pid" &
pids+=($!)
$BIN/python manage.py runserver "127.0.0.1:$PORT" &
pids+=($!)

cat <<MSG

  Fastlegeadministrasjon kjører:
    Nettsider        http://127.0.0.1:$PORT/
    API-dokumentasjon http://127.0.0.1:$PORT/api/v1/docs/
    Helse            http://127.0.0.1:$PORT/helse/
    PostgreSQL       $DATABASE_URL
    Redis            $REDIS_URL
  Pålogginger står over (seed_demo). Ctrl-C stopper alt.

MSG
wait -n "${pids[@]}"
