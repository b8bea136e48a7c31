# Two commands for a newcomer: `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Local work runs with DEBUG on and a development key; production sets its own environment.
export DEBUG ?= true

.PHONY: run test serve-prepared chromium node clean

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check uv
	@$(VENV)/bin/uv sync --frozen --quiet
	@touch $@

run: $(VENV)/.synced
	@url=$$($(PY) scripts/dev_db.py); export DATABASE_URL=$$url; \
	$(PY) manage.py migrate --noinput -v0; \
	$(PY) manage.py createcachetable >/dev/null; \
	$(PY) manage.py load_content -v0; \
	$(PY) manage.py seed_demo -v0; \
	$(PY) manage.py collectstatic --noinput -v0; \
	echo ""; \
	echo "  backpain is running at http://127.0.0.1:$(PORT)/"; \
	echo "  Demo patient:   patient@example.com   / backpain-demo"; \
	echo "  Demo clinician: clinician@example.com / backpain-demo"; \
	echo "  Stop with Ctrl+C."; \
	echo ""; \
	exec $(VENV)/bin/gunicorn backpain.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

node: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Chromium from Debian (about a minute) ..."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.synced node chromium
	@url=$$($(PY) scripts/dev_db.py); \
	DATABASE_URL=$$url $(VENV)/bin/pytest $(ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles
