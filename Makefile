# Two commands for a newcomer: `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# The demo runs as production does (DEBUG off), with a key of this checkout's own, made
# once into the git-ignored .data/ and read from there, so it is never printed.
export SECRET_KEY_FILE := $(CURDIR)/.data/secret_key
STATIC_SOURCES := $(shell find static -type f)

.PHONY: run dev test lint check-run chromium node clean

# Packages compiled to bytecode once, here: uv installs them as source, and where
# PYTHONDONTWRITEBYTECODE is set (as on these machines) every process, each test worker,
# gunicorn worker and manage.py command, compiled Django and the rest again: 1.2 s a start.
$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check uv
	@$(VENV)/bin/uv sync --frozen --quiet --compile-bytecode
	@touch $@

$(SECRET_KEY_FILE):
	@mkdir -p $(@D)
	@umask 077; python3 -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp; mv $@.tmp $@

# Hashed, compressed files as production serves them; collected again only when a source,
# a package or the storage changes, so a second start is quick.
staticfiles/staticfiles.json: $(VENV)/.synced $(SECRET_KEY_FILE) $(STATIC_SOURCES) backpain/storage.py
	@$(PY) manage.py collectstatic --noinput --clear -v0

# Database, schema, content and demo accounts; every step is idempotent.
define prepare_database
url=$$($(PY) scripts/dev_db.py); export DATABASE_URL=$$url; \
$(PY) manage.py prepare_demo
endef

define banner
echo ""; \
echo "  backpain is running at http://127.0.0.1:$(PORT)/"; \
echo "  Demo patient:   patient@example.com   / backpain-demo"; \
echo "  Demo clinician: clinician@example.com / backpain-demo"; \
echo "  Stop with Ctrl+C."; \
echo ""
endef

# The demo's e-mails (password resets too) are printed here, on purpose: production must
# name a real EMAIL_BACKEND, which `manage.py check --deploy` enforces.
run: $(VENV)/.synced $(SECRET_KEY_FILE) staticfiles/staticfiles.json
	@$(prepare_database); \
	$(banner); \
	DEBUG=false EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
	  exec $(VENV)/bin/gunicorn backpain.wsgi -c backpain/gunicorn.conf.py \
	  --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

# For developers: autoreload and Django's debug page instead of the production path.
dev: $(VENV)/.synced $(SECRET_KEY_FILE)
	@$(prepare_database); \
	$(banner); \
	DEBUG=true exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

node: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Chromium from Debian (about a minute) ..."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV)/.synced
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

# The suite hashes hundreds of passwords: a cheap Argon2 (still Argon2, still counted by
# tests/security) instead of 100 MiB per hash. Production refuses these (check --deploy).
test: lint $(SECRET_KEY_FILE) node chromium
	@url=$$($(PY) scripts/dev_db.py); \
	DATABASE_URL=$$url ARGON2_TIME_COST=1 ARGON2_MEMORY_COST=1024 ARGON2_PARALLELISM=1 \
	  $(VENV)/bin/pytest $(ARGS)

# Start `make run` from this checkout as a newcomer would, twice, and fetch its main pages.
check-run:
	@python3 scripts/check_run.py

clean:
	rm -rf $(VENV) node_modules staticfiles
