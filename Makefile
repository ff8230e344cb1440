# Protection Pathways. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := webapp/static/vendor/.installed
export TZ := UTC

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt bench clean setup

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(ASSETS): package-lock.json scripts/build_assets.sh
	scripts/build_assets.sh

setup: $(STAMP) $(ASSETS) ## Create .venv, install the project with its test tools, and the npm assets

run: $(STAMP) $(ASSETS) ## Migrate, deploy workflows/, seed demo users, serve on 127.0.0.1:8000
	scripts/run.sh

test: $(STAMP) $(ASSETS) ## Lint, then the whole test suite (DATABASE_URL=postgresql://... for PostgreSQL)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	scripts/ensure_chromium.sh
	$(BIN)/pytest

lint: $(STAMP) ## Ruff only
	$(BIN)/ruff check .

fmt: $(STAMP) ## Format and apply ruff's safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

PG_BENCH ?= postgresql://postgres@127.0.0.1:5432/test
bench: $(STAMP) ## Benchmarks on SQLite and PostgreSQL (PG_BENCH=url, FULL=1 for 100k cases); tables in docs/benchmarks.md
	$(BIN)/python bench/engine.py --n 50 --postgres $(PG_BENCH)
	$(BIN)/python bench/timers.py --n 10000 --m 500 --postgres $(PG_BENCH)
	$(BIN)/python bench/inbox.py --cases $(if $(FULL),100000,10000) --postgres $(PG_BENCH)
	$(BIN)/python bench/http_bench.py --clients 20 --seconds 60 --postgres $(PG_BENCH)

clean: ## Remove the virtualenv and local data (var/ holds the demo database and key!)
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules webapp/static/vendor
