#!/usr/bin/env bash
# The benchmark of issue 15: every main page against a bare Django view, in one run, on this
# machine, over loopback only. About 8 minutes: setup, then BENCH_SECONDS (10) per page and
# round (BENCH_ROUNDS, 2) with wrk (8 connections), then a mixed 50-user journey (40 of them
# different patients) for BENCH_JOURNEY_SECONDS (60), then stock Django's guest and signed-in
# page (bench/vanilla.sh, about a minute).
#
#   bench/run.sh                 # from the repository root; results also go to bench/results/
#   BENCH_ONLY='Today|plan' BENCH_JOURNEY_SECONDS=0 bench/run.sh   # a few pages, no journey
#   BENCH_VANILLA=0 bench/run.sh   # without stock Django's guest and signed-in pages at the end
#
# The app runs as production does (gunicorn, 3 workers, DEBUG off, collected static files) on
# its own database, BENCH_DATABASE_URL (default backpain_bench), prepared by `prepare_demo` and
# bench/prepare.py (a patient with 52 weeks of history, a clinician with 200 patients).
# Extra settings pass through the environment, e.g. DB_POOL_SIZE=2 to try the connection pool,
# or PAGE_CACHE_SECONDS=0 to measure every page rendered afresh (no kept pages).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-8799}
SECONDS_PER_PAGE=${BENCH_SECONDS:-10}
JOURNEY_SECONDS=${BENCH_JOURNEY_SECONDS:-60}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
PY=.venv/bin/python
BASE=http://127.0.0.1:$PORT
SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)

export DEBUG=false BENCH_BARE_VIEW=true LOG_LEVEL=WARNING
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/backpain_bench}
export SECRET_KEY_FILE=${SECRET_KEY_FILE:-$PWD/.data/secret_key}
# The demo's e-mails are printed, as with `make run`; nothing is sent.
export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

command -v wrk >/dev/null || {
  echo "Installing wrk from Debian ..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
}
[ -f "$SECRET_KEY_FILE" ] || make -s "$SECRET_KEY_FILE"

echo "== Preparing the database and static files (${DATABASE_URL##*/})"
$PY - <<'PY'
import os, psycopg
from urllib.parse import urlsplit
url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(os.environ["DATABASE_URL"].replace(url.path, "/postgres"), autocommit=True) as db:
    if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        db.execute(f'CREATE DATABASE "{name}"')
PY
$PY manage.py collectstatic --noinput --clear -v0
$PY manage.py prepare_demo
PREPARED=$($PY bench/prepare.py)   # REVIEW_PAGE, CHECKLIST_RESULT
eval "$PREPARED"

. bench/serve.sh   # gunicorn on $PORT, stopped on exit

echo "== Signing in"
SIGNED_IN=$($PY bench/session.py "$BASE" bench-patient@example.com bench-clinician@example.com \
  backpain-demo JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)
eval "$SIGNED_IN"
# The journey's other patients: 40 of the clinician's caseload, each with a year of data.
eval "$($PY bench/people.py 40)"
IFS='|' read -ra journey_people <<<"$JOURNEY_COOKIES"
for cookie in "${journey_people[@]}"; do   # each is really signed in: their account page
  got=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE/account/")
  [ "$got" = 200 ] || { echo "A journey patient is not signed in (/account/ answered $got)" >&2; exit 1; }
done
export PATIENT_COOKIE CLINICIAN_COOKIE SCREENING_STEP CHECKIN_BODY REVIEW_PAGE CHECKLIST_RESULT \
  JOURNEY_COOKIES

RESULTS=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS"
# name | method | path | cookie | status it must answer with
PAGES=(
  "bare view|GET|/bench/bare/||200"
  "bare view (signed in)|GET|/bench/bare/|$PATIENT_COOKIE|200"
  "/ (guest)|GET|/||200"
  "/exercises/|GET|/exercises/||200"
  "/exercises/ filtered|GET|/exercises/?kind=mobility&region=hip||200"
  "exercise page|GET|/exercises/cat-cow/||200"
  "screening step|GET|$SCREENING_STEP|$PATIENT_COOKIE|200"
  "checklist result|GET|$CHECKLIST_RESULT|$PATIENT_COOKIE|200"
  "Today|GET|/|$PATIENT_COOKIE|200"
  "/plan/|GET|/plan/|$PATIENT_COOKIE|200"
  "/progress/ (52 weeks)|GET|/progress/|$PATIENT_COOKIE|200"
  "/progress/log/|GET|/progress/log/|$PATIENT_COOKIE|200"
  "/clinic/ (200 patients)|GET|/clinic/|$CLINICIAN_COOKIE|200"
  "review page|GET|$REVIEW_PAGE|$CLINICIAN_COOKIE|200"
  "check-in POST|POST|/progress/check-in/|$PATIENT_COOKIE|302"
)

# Every page, the bare views too, runs in each of BENCH_ROUNDS (2) rounds, and report.py keeps
# each page's best: on this shared machine a spell of 10-20 s at half speed now and then (seen
# on guest pages that touch no database as on any other) would otherwise decide a ratio.
ROUNDS=${BENCH_ROUNDS:-2}
echo "== Each page for ${SECONDS_PER_PAGE}s, $CONNECTIONS connections, $ROUNDS rounds (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for round in $(seq "$ROUNDS"); do
for entry in "${PAGES[@]}"; do
  IFS='|' read -r name method path cookie status <<<"$entry"
  # BENCH_ONLY=regex measures only the pages it matches (the bare views always run).
  [[ "$name" == bare* || "$name" =~ ${BENCH_ONLY:-.} ]] || continue
  # Each page must answer as a person would see it, not with a login redirect or an error.
  headers=()
  [ -n "$cookie" ] && headers=(-H "Cookie: $cookie")
  data=()
  [ "$method" = POST ] && data=(--data "$CHECKIN_BODY")
  got=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "${data[@]}" "$BASE$path")
  [ "$got" = "$status" ] || { echo "$name ($path) answered $got, not $status" >&2; exit 1; }
  line=$(BENCH_METHOD=$method BENCH_BODY=$CHECKIN_BODY wrk -t2 -c"$CONNECTIONS" \
    -d"${SECONDS_PER_PAGE}s" --timeout 10s -s bench/wrk.lua "${headers[@]}" "$BASE$path" | tail -1)
  signed_in=$([ -n "$cookie" ] && echo true || echo false)
  echo "{\"page\": \"$name\", \"round\": $round, \"signed_in\": $signed_in, \"result\": $line}" \
    | tee -a "$RESULTS/pages.jsonl"
done
done

echo "== Mixed journey: 50 people for ${JOURNEY_SECONDS}s (think time 0.5-1.5 s)"
[ "$JOURNEY_SECONDS" -gt 0 ] && wrk -t2 -c50 -d"${JOURNEY_SECONDS}s" --timeout 10s -s bench/journey.lua "$BASE/" | tail -1 \
  | tee "$RESULTS/journey.json"

$PY bench/report.py "$RESULTS" | tee "$RESULTS/report.md"

# The same yardstick in stock Django (bench/vanilla/): what signing in costs any Django app here.
[ "${BENCH_VANILLA:-1}" = 0 ] || bench/vanilla.sh | tee "$RESULTS/vanilla.txt"
