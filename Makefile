# Relais — the README names these targets. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck test-sqlite test-postgres site bench clean browser-deps openapi-lint-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Install what is missing (virtualenv in .venv)

run: $(STAMP) ## Migrate, seed the demo and start everything on 127.0.0.1 (Ctrl-C stops it all)
	RELAIS_DEMO=$${RELAIS_DEMO:-1} SYNC_INTERVAL_SECONDS=$${SYNC_INTERVAL_SECONDS:-15} \
	SYNC_JITTER_SECONDS=$${SYNC_JITTER_SECONDS:-3} SYNC_POLL_SECONDS=$${SYNC_POLL_SECONDS:-2} \
	$(BIN)/relais run-all

lint: $(STAMP) ## ruff (lint and format check)
	$(BIN)/ruff check backend notifications tests docs_site/hooks
	$(BIN)/ruff format --check backend notifications tests docs_site/hooks

typecheck: $(STAMP) ## mypy on backend/ and notifications/
	$(BIN)/mypy

# Browser tests need Debian's chromium (never `playwright install`); axe-core is vendored.
browser-deps: ## Install Chromium for the browser tests (as root; otherwise they are skipped)
	@command -v chromium >/dev/null && exit 0; \
	if [ "$$(id -u)" = "0" ]; then apt-get update && apt-get install -y chromium; \
	else echo "Chromium absent and not root: the browser tests (tests/site/test_browser.py) will be skipped."; fi

# The OpenAPI linter: Redocly CLI from the npm registry, pinned by its lockfile.
OPENAPI_LINT := tests/openapi
openapi-lint-deps: ## Install the OpenAPI linter (needs npm; otherwise its test is skipped)
	@test -x $(OPENAPI_LINT)/node_modules/.bin/redocly && exit 0; \
	if ! command -v npm >/dev/null; then \
	  echo "npm absent: the OpenAPI lint ($(OPENAPI_LINT)/test_lint.py) will be skipped."; \
	elif ! npm ci --prefix $(OPENAPI_LINT) --no-audit --no-fund --loglevel=error; then \
	  echo "npm could not install Redocly CLI: the OpenAPI lint will be skipped."; fi

test-sqlite: $(STAMP) browser-deps openapi-lint-deps
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not postgres_only" -p no:cacheprovider

test-postgres: $(STAMP)
	RELAIS_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -n 2 --dist loadfile -m "not nodb" -p no:cacheprovider

# PostgreSQL pass when RELAIS_TEST_POSTGRES=1 (.ci/run sets it).
test: $(STAMP) lint typecheck test-sqlite ## Lint, type-check and run the whole suite
	@if [ "$${RELAIS_TEST_POSTGRES:-0}" = "1" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL suite skipped (set RELAIS_TEST_POSTGRES=1 to run it)"; fi

# Never part of `make test`: 25 to 40 minutes on 2 cores (BENCH_QUICK=1: about 7).
bench: $(STAMP) ## Benchmark the API on 1,000,000 invoices; results in bench/results/
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python -m bench.generate
	$(BIN)/python -m bench.load

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache $(OPENAPI_LINT)/node_modules
