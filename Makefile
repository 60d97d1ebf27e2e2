# Newsroom: `make run` serves the demo site, `make test` runs the whole suite.
# Both build .venv from the locked requirements first, so a fresh clone needs only Python 3.12+.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
SIZE ?= quick

# The first interpreter on PATH that is Python 3.12 or newer.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: run test lint vnu bench probe lock clean

$(VENV)/.installed: requirements-dev.lock
	@if [ -z "$(PYTHON)" ]; then echo "Newsroom needs Python 3.12 or newer; none was found on PATH." >&2; exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

run: $(VENV)/.installed
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 PORT=$(PORT) $(PY) manage.py seed_demo
	@# The task worker (moderators' mail) in the background, the server in the foreground; the
	@# worker stops with the server. No autoreload for the worker: its reloader would outlive the
	@# kill, so restart `make run` after changing a task.
	DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run

test: lint vnu
	$(BIN)/pytest $(PYTEST_ARGS)

# The Nu HTML Checker for tests/test_html_validity.py: a Java program from the npm registry,
# kept inside .venv. Without npm or Java the test skips and says why (CI has both).
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VENV)/.installed
	@if [ -f $(VNU_JAR) ]; then :; \
	elif command -v npm >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/vnu vnu-jar@$(VNU_VERSION); \
	else echo "npm or java not found: the HTML validity test will skip."; fi

bench: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=tests.bench.settings $(PY) manage.py bench --size $(SIZE) $(BENCH_ARGS)

# Re-resolve the locks after editing pyproject.toml.
lock: $(VENV)/.installed
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links --allow-unsafe -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links --allow-unsafe --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache staticfiles

# Hostile inputs against a production-like server (gunicorn, DEBUG off, PostgreSQL, Redis);
# prints the status histogram, 5xx and lost comments. Not part of `make test` (a fast part is).
probe: $(VENV)/.installed
	$(PY) -m tests.probe
