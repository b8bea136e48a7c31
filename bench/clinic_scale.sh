#!/usr/bin/env bash
# The clinic's pages at 10,000 patients: /clinic/ and one review page under wrk, served as
# production does (gunicorn, 3 workers, DEBUG off), over loopback only.
#
#   bench/clinic_scale.sh          # from the repository root; results also go to bench/results/
#
# The database, SCALE_DATABASE_URL (default backpain_scale), is made once with prepare_demo and
# `seed_scale --patients 10000 --weeks 52` then VACUUM (about 3 to 8 minutes, 1.4 GB) and reused
# after that.
# Each page then runs for SCALE_SECONDS (10) with 8 connections, signed in as
# clinician01@scale.example.com (200 patients); the review is that clinician's patient with
# the most sessions. About a minute once the database exists.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${SCALE_PORT:-8831}
SECONDS_PER_PAGE=${SCALE_SECONDS:-10}
CONNECTIONS=${SCALE_CONNECTIONS:-8}
PY=.venv/bin/python
BASE=http://127.0.0.1:$PORT
CLINICIAN=clinician01@scale.example.com
PATIENT=patient00001@scale.example.com

export DATABASE_URL=${SCALE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/backpain_scale}
export SECRET_KEY_FILE=${SECRET_KEY_FILE:-$PWD/.data/secret_key}
export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend LOG_LEVEL=WARNING
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
[ -f "$SECRET_KEY_FILE" ] || make -s "$SECRET_KEY_FILE"

seeded=$($PY - <<'PY'
import os, psycopg
from urllib.parse import urlsplit
url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(os.environ["DATABASE_URL"].replace(url.path, "/postgres"), autocommit=True) as db:
    if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        db.execute(f'CREATE DATABASE "{name}"')
with psycopg.connect(os.environ["DATABASE_URL"]) as db:
    try:
        found = db.execute("SELECT count(*) FROM accounts_user WHERE email LIKE '%%@scale.example.com'").fetchone()[0]
    except psycopg.errors.UndefinedTable:
        found = 0
print(found)
PY
)
# seed_scale makes accounts with the demo's published password, so it runs with DEBUG on.
if [ "$seeded" -eq 0 ]; then
  echo "== Seeding ${DATABASE_URL##*/}: 10,000 patients, 52 weeks (a few minutes)"
  DEBUG=true $PY manage.py prepare_demo
  DEBUG=true $PY manage.py seed_scale --patients 10000 --weeks 52
  # As autovacuum would in time: the visibility map lets index-only scans skip the heap.
  echo "== VACUUM (ANALYZE)"
  $PY -c 'import os, psycopg; psycopg.connect(os.environ["DATABASE_URL"], autocommit=True).execute("VACUUM (ANALYZE)")'
else
  echo "== Reusing ${DATABASE_URL##*/} ($seeded scale accounts)"
  DEBUG=true $PY manage.py migrate --noinput -v0
fi

export DEBUG=false
$PY manage.py collectstatic --noinput -v0
REVIEW_PAGE=$($PY manage.py shell -v0 -c "
from django.db.models import Count
from apps.accounts.models import User
clinician = User.objects.get(email='$CLINICIAN')
patient = (User.objects.visible_to(clinician)
           .annotate(n=Count('exercise_sessions')).order_by('-n', 'email').first())
print(f'/clinic/patients/{patient.uuid}/')
")

. bench/serve.sh   # gunicorn on $PORT, stopped on exit

SIGNED_IN=$($PY bench/session.py "$BASE" "$PATIENT" "$CLINICIAN" backpain-demo \
  JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)
eval "$SIGNED_IN"

RESULTS=bench/results/scale-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS"
echo "== Each page for ${SECONDS_PER_PAGE}s, $CONNECTIONS connections ($(nproc) cores)"
for entry in "/clinic/ (200 of 10,000 patients)|/clinic/" "review page (52 weeks)|$REVIEW_PAGE" \
  "review, an older month (htmx)|$REVIEW_PAGE?month=$(date -u -d '-6 months' +%Y-%m)|HX"; do
  IFS='|' read -r name path htmx <<<"$entry"
  headers=(-H "Cookie: $CLINICIAN_COOKIE")
  [ -n "$htmx" ] && headers+=(-H "HX-Request: true" -H "HX-Target: timeline")
  got=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$BASE$path")
  [ "$got" = 200 ] || { echo "$name ($path) answered $got, not 200" >&2; exit 1; }
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  line=$(wrk -t"$(( CONNECTIONS < 2 ? 1 : 2 ))" -c"$CONNECTIONS" -d"${SECONDS_PER_PAGE}s" --timeout 10s -s bench/wrk.lua \
    "${headers[@]}" "$BASE$path" | tail -1)
  echo "{\"page\": \"$name\", \"load\": [$load_before, $(cut -d' ' -f1 /proc/loadavg)], \"result\": $line}" \
    | tee -a "$RESULTS/pages.jsonl"
done
