# Thin wrappers. `make demo` and `make test` set everything up from a fresh clone.
SHELL := /bin/bash
PYTHON := $(shell scripts/find-python)
ifeq ($(PYTHON),)
$(error minga needs Python 3.12 or newer: see the lines above for what to install)
endif
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
UV = $(shell scripts/find-uv $(PYTHON))
VENV := .venv/bin
MINGA := $(VENV)/python -m minga
PYTEST := $(VENV)/pytest

.PHONY: install demo test lint lint-steps test-sqlite test-postgres test-browser messages vendor bench bench-load

install:
	$(UV) sync --frozen
	$(MINGA) compilemessages --ignore=.venv --ignore=.tools -v 0

demo: install
	@scripts/check-system $(VENV)/python
	$(MINGA) demo

test: install lint test-sqlite test-postgres test-browser

# Each stage prints its wall time (docs/benchmarks.md keeps the breakdown); pytest prints the
# slowest 25 tests of each run.
TIMED = scripts/timed

lint:
	$(TIMED) lint $(MAKE) --no-print-directory lint-steps

lint-steps:
	$(VENV)/ruff format --check .
	$(VENV)/ruff check .
	$(VENV)/mypy src
	$(VENV)/lint-imports
	$(MINGA) check --fail-level WARNING
	$(MINGA) makemigrations --check --dry-run
	$(VENV)/djlint src/minga --check
	$(VENV)/djlint src/minga --lint
	scripts/check-template-lines

test-sqlite:
	$(TIMED) sqlite $(PYTEST) -m "not browser" --durations=25

test-postgres:
	$(TIMED) postgresql scripts/with-postgres $(PYTEST) -m "not browser" --durations=25

test-browser:
	@if command -v chromium >/dev/null 2>&1; then \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(TIMED) browser $(PYTEST) -m browser --durations=25; \
	elif [ "$$CI" = "true" ]; then \
		echo "Chromium is not installed and CI=true: apt-get install chromium"; exit 1; \
	else \
		echo "SKIPPED the browser tests: Chromium is not installed (apt-get install chromium)"; \
	fi

messages:
	cd src/minga && ../../$(MINGA) makemessages -l es -l pt -l en --no-obsolete --ignore=demo/*

vendor:
	scripts/vendor

bench: install
	$(VENV)/python bench/ledger.py
	$(VENV)/python bench/zonal.py

# The load test on the scale dataset (about 15 minutes): a throwaway PostgreSQL, 1,000 tables,
# `minga serve`, 50 locust users for 5 minutes; writes docs/benchmarks.md.
bench-load: install
	scripts/with-postgres $(VENV)/python bench/load.py
