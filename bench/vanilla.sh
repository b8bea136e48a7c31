#!/usr/bin/env bash
# What signing in costs stock Django on this machine: startproject's middleware, database
# sessions, one tiny page that greets whoever asks (bench/vanilla/). It is served as
# bench/run.sh serves backpain (gunicorn, 3 workers of 4 threads, loopback, wrk with 8
# connections) and requested as a guest and with a signed-in session cookie, in turn, for
# VANILLA_ROUNDS (3) rounds of VANILLA_SECONDS (10) each; each side's best round counts.
# About a minute. docs/performance.md ("The signed-in floor in stock Django") has results.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${VANILLA_PORT:-8798}
SECONDS_EACH=${VANILLA_SECONDS:-10}
ROUNDS=${VANILLA_ROUNDS:-3}
BASE=http://127.0.0.1:$PORT
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
export DJANGO_SETTINGS_MODULE=bench.vanilla.settings VANILLA_DB=${VANILLA_DB:-backpain_vanilla}

command -v wrk >/dev/null || {
  echo "Installing wrk from Debian ..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
}
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$VANILLA_DB'" \
  | grep -q 1 || createdb -h 127.0.0.1 -U postgres "$VANILLA_DB"
COOKIE=$(.venv/bin/python bench/vanilla/signin.py)

.venv/bin/gunicorn 'django.core.wsgi:get_wsgi_application()' --bind "127.0.0.1:$PORT" \
  --workers 3 --worker-class gthread --threads 4 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "$BASE/" >/dev/null && break; sleep 0.2; done
# The signed-in request must really be signed in: the page greets the user by name.
curl -fs -H "Cookie: $COOKIE" "$BASE/" | grep -q "Hello, bench." \
  || { echo "The session cookie does not sign in" >&2; exit 1; }
curl -fs "$BASE/" | grep -q "Hello, ." || { echo "The guest page is not a guest's" >&2; exit 1; }

rate() { wrk -t2 -c8 -d"${SECONDS_EACH}s" "$@" "$BASE/" | awk '/Requests\/sec/ {print $2}'; }
best_guest=0 best_signed=0
echo "== stock Django, $ROUNDS rounds of ${SECONDS_EACH}s each (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for round in $(seq "$ROUNDS"); do
  guest=$(rate)
  signed=$(rate -H "Cookie: $COOKIE")
  echo "round $round: guest $guest req/s, signed in $signed req/s"
  best_guest=$(echo "$guest $best_guest" | awk '{print ($1 > $2) ? $1 : $2}')
  best_signed=$(echo "$signed $best_signed" | awk '{print ($1 > $2) ? $1 : $2}')
done
echo "best: guest $best_guest req/s, signed in $best_signed req/s," \
  "ratio $(echo "$best_signed $best_guest" | awk '{printf "%.2f", $1 / $2}')"
