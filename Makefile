# The two commands: `make run` (set up and start the portal) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT

.PHONY: run test setup lint

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

test: $(STAMP)
	$(PY) scripts/run_tests.py $(ARGS)
