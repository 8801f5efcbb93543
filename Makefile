# The two commands: `make run` (set up and start the portal) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT

.PHONY: run test setup browsers

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_portal

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
