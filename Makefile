# The two commands: `make run` (set up and start the portal) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT
VAR_DIR ?= var
SECRET_KEY_FILE := $(VAR_DIR)/secret_key

.PHONY: run test setup browsers prod-check

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# A random secret key, written once and kept (DEBUG is off by default, and then the portal needs a real key).
$(SECRET_KEY_FILE):
	mkdir -p $(VAR_DIR)
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp && mv $@.tmp $@

setup: $(STAMP) $(SECRET_KEY_FILE)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_portal

# Production's server (gunicorn, static files by whitenoise) with DEBUG off; over plain http on this machine, so the
# HTTPS-only settings are off unless SECURE=1 (behind a TLS proxy). DEBUG=1 make run shows Django's debug pages.
run: export SECURE ?= 0
run: setup
	@echo ""
	@echo "sanlian: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server, the worker and beat)"
	$(VENV)/bin/honcho start -f Procfile

# The browser tests drive Debian's Chromium (never a downloaded browser) and need a CJK font for screenshots.
browsers:
	@if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; } && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	  $$SUDO apt-get install -y -q chromium fonts-wqy-zenhei >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null 2>&1 && $$SUDO apt-get install -y -q chromium fonts-wqy-zenhei >/dev/null 2>&1; } || \
	  echo "could not install chromium: the browser tests fail under CI and skip elsewhere"; \
	fi

test: $(STAMP) browsers
	$(PY) scripts/run_tests.py $(ARGS)

# The production profile for real: a fresh PostgreSQL database, gunicorn with DEBUG=0 and SECURE=1, a Celery worker
# and beat on Redis (db 15), each role's start page and a report build over HTTP, /healthz; then torn down.
prod-check: $(STAMP)
	$(PY) scripts/prod_check.py
