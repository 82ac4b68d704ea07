# The Economics of Generative AI: build and test.
# `make book` and `make test` are the only two commands a fresh machine needs.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: help book test lint bench clean clean-cache browser

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'
	@echo ""
	@echo "Re-run with your own parameters (after make book or make test has created .venv):"
	@echo "  .venv/bin/python -m analysis params CHAPTER                  parameters, defaults, provenance"
	@echo "  .venv/bin/python -m analysis run CHAPTER -p NAME=VALUE --name RUN   into _build/runs/RUN"
	@echo "  .venv/bin/python -m analysis run CHAPTER --scenario NAME     from data/scenarios/NAME.yaml"
	@echo "  .venv/bin/python -m analysis sweep CHAPTER -p NAME=START:STOP:POINTS  a grid, in parallel"
	@echo "  .venv/bin/python -m analysis build --scenario NAME           an edition in _build/editions/NAME"
	@echo "  .venv/bin/python -m analysis --help                          everything, with examples"

# The environment grows by what a command needs: the book's packages (make book), then the tests' (make test)
# or the benchmarks' (make bench). Each stamp is remade, re-installing its pins, when its files change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.3.1"
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-test.txt
	@touch $(TEST_STAMP)

$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt -r benchmarks/requirements.txt
	@touch $(BENCH_STAMP)

book: $(STAMP) ## Execute every chapter with papermill and build the site into _build/html
	$(PY) -m analysis build

# The browser test drives Debian's Chromium through Playwright (downloading a browser is not possible here).
browser: ## Install Debian's chromium for the browser test if it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(TEST_STAMP) browser ## Lint, type-check (mypy, strict on analysis/) and run the tests (one real build, browser tests)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check analysis tests
	$(PY) -m mypy
	$(PY) -m pytest

lint: $(TEST_STAMP) ## Lint and type-check only
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: $(BENCH_STAMP) ## Run the benchmarks (builds, re-runs, Monte Carlo, pricing) and write BENCHMARKS.md
	$(PY) benchmarks/bench.py

clean: ## Remove the build output (not the virtual environment)
	rm -rf _build

clean-cache: $(STAMP) ## Empty the execution cache, _build/cache (it is kept under 500 MB by itself)
	$(PY) -m analysis cache --clear
