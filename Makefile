# medsupp: `make run` serves the demo portal, `make test` runs every check CI runs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test` runs the suite on this many pytest-xdist workers, each with its own test database
# (docs/benchmarks.md, "Test suite in parallel"); PYTEST_WORKERS=0 runs it serially, in-process.
# `load` hands tests out in pytest-django's order, so each worker still runs its transactional
# tests (which empty the database, seeds included) last; `loadfile` does not, and breaks.
PYTEST_WORKERS ?= 2
PYTEST_DIST ?= load

.DEFAULT_GOAL := help
.PHONY: help install system run test lint format bench messages worker beat clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml requirements.lock
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies

# Debian packages: the CJK font every PDF embeds, and the Chromium the browser tests drive
SYSTEM_PACKAGES := fonts-wqy-microhei chromium

system: ## install the Debian packages the PDFs and browser tests need, when missing (apt-get, as root)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "installing $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "缺少系统软件包 / missing Debian packages: $$missing (sudo apt-get install -y $$missing)"; \
		fi; \
	fi

messages: $(STAMP) ## compile translations
	$(PY) manage.py compilemessages -v0 --ignore '.venv/*'

run: install messages ## set up SQLite + demo data and serve http://127.0.0.1:8000 (worker and beat too when REDIS_URL is set)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo
	$(PY) manage.py collectstatic --noinput -v0
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL set: starting a Celery worker and beat"; \
		$(BIN)/celery -A config worker -Q celery,ingest -l info --concurrency 2 & \
		$(BIN)/celery -A config beat -l info & \
		trap 'kill %1 %2 2>/dev/null' EXIT; \
		$(PY) manage.py runserver $(HOST):$(PORT); \
	else \
		$(PY) manage.py runserver $(HOST):$(PORT); \
	fi

lint: install ## ruff format check, ruff lint, import contracts
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install ## apply ruff formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint messages system ## lint, then the whole test suite, browser tests included (DATABASE_URL/REDIS_URL when set, SQLite otherwise)
	$(PY) manage.py makemigrations --check --dry-run -v0 || { echo "模型有未生成的迁移 / missing migrations"; exit 1; }
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) $(PYTEST_ARGS)

bench: install messages ## run the benchmarks in tests/benchmarks (figures go to docs/benchmarks.md)
	$(BIN)/pytest tests/benchmarks -o addopts="" -o python_files="bench_*.py" -s -q -p no:cacheprovider

worker: install ## a Celery worker for both queues, the default one and `ingest` (needs REDIS_URL)
	$(BIN)/celery -A config worker -Q celery,ingest -l info

beat: install ## Celery beat with the schedules from the database (needs REDIS_URL)
	$(BIN)/celery -A config beat -l info

clean: ## remove the virtualenv, SQLite database and caches
	rm -rf $(VENV) db.sqlite3* .pytest_cache .ruff_cache .hypothesis staticfiles
