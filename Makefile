# The two commands of the README: `make run` and `make test`. Everything else is what they call.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
PYTHON ?= python3.11
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint fmt bench install keys services db migrate messages demo check chromium clean help

help:
	@echo "make run    set up everything and serve the back-office with demo data on http://$(HOST):$(PORT)"
	@echo "make test   set up everything and run ruff, the migrations check and the whole test suite"
	@echo "make lint | fmt | bench"

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

keys:
	@$(PYTHON) scripts/devkeys.py .env

# Start the local PostgreSQL and Redis when they are installed but stopped; never install them.
services:
	@if command -v pg_lsclusters >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		echo "Starting the local PostgreSQL cluster..."; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -n1) main start || true; \
		for i in $$(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done; \
	fi
	@if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
		echo "Starting the local Redis..."; \
		mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true; \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log || true; \
		for i in $$(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.25; done; \
	fi

db: install keys services
	@$(PY) scripts/ensure_db.py

migrate: db
	$(MANAGE) migrate --no-input -v 0

messages: install
	@$(MANAGE) compilemessages -v 0 --ignore '.venv/*'

demo: migrate messages
	$(MANAGE) demo_data

chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		{ echo "Could not install chromium: run 'apt-get install -y chromium' as root."; exit 2; }; }

run: demo
	@$(MANAGE) demo_data --logins
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)."
	$(MANAGE) runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: db messages
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check

test: install keys db messages chromium
	$(VENV)/bin/ruff check .
	$(MANAGE) makemigrations --check --dry-run
	PMS_TESTING=true $(VENV)/bin/pytest -n 2 --dist loadgroup --create-db $(PYTEST_ARGS)

bench: db
	PMS_TESTING=true $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
