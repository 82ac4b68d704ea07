# The Economics of Generative AI: build and test.
# `make book` and `make test` are the only two commands a fresh machine needs.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help book test lint bench clean freeze browser

help: ## Show the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo ""
	@echo "Re-run with your own parameters (after make book or make test has created .venv):"
	@echo "  .venv/bin/python -m analysis params CHAPTER                  parameters, defaults, provenance"
	@echo "  .venv/bin/python -m analysis run CHAPTER -p NAME=VALUE --name RUN   into _build/runs/RUN"
	@echo "  .venv/bin/python -m analysis run CHAPTER --scenario NAME     from data/scenarios/NAME.yaml"
	@echo "  .venv/bin/python -m analysis sweep CHAPTER -p NAME=START:STOP:POINTS  a grid, in parallel"
	@echo "  .venv/bin/python -m analysis build --scenario NAME           an edition in _build/editions/NAME"
	@echo "  .venv/bin/python -m analysis --help                          everything, with examples"

# The environment is rebuilt whenever requirements.txt or pyproject.toml changes.
$(STAMP): requirements.txt benchmarks/requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.3.1"
	$(PY) -m pip install --quiet -r requirements.txt -r benchmarks/requirements.txt
	@touch $(STAMP)

book: $(STAMP) ## Execute every chapter with papermill and build the site into _build/html
	$(PY) -m analysis build

# The browser test drives Debian's Chromium through Playwright (downloading a browser is not possible here).
browser: ## Install Debian's chromium for the browser test if it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser ## Lint and run the tests (including one real build and a browser test)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check analysis tests
	$(PY) -m pytest

lint: $(STAMP) ## Lint only
	$(PY) -m ruff check .

bench: $(STAMP) ## Run the benchmarks (builds, re-runs, Monte Carlo, pricing) and write BENCHMARKS.md
	$(PY) benchmarks/bench.py

clean: ## Remove the build output (not the virtual environment)
	rm -rf _build

freeze: $(STAMP) ## Re-pin requirements.txt from the current environment
	{ head -2 requirements.txt; $(PY) -m pip freeze --exclude-editable | grep -viE '^(pip|setuptools|wheel)=='; echo "-e ."; } > requirements.tmp && mv requirements.tmp requirements.txt
