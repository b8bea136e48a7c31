# Sourced by bench/run.sh and bench/clinic_scale.sh: serve the app as production does
# (gunicorn, 3 workers, backpain/gunicorn.conf.py) on 127.0.0.1:$PORT until the script exits,
# and wait for /healthz. Needs PORT and BASE; stops the server on exit.
LOG=$(mktemp -t bench-gunicorn.XXXXXX)
.venv/bin/gunicorn backpain.wsgi -c backpain/gunicorn.conf.py --bind "127.0.0.1:$PORT" \
  --workers 3 --error-logfile "$LOG" &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs "$BASE/healthz" >/dev/null && break
  sleep 0.2
done
curl -fs "$BASE/healthz" >/dev/null || { cat "$LOG"; exit 1; }
