# Two commands do everything on a fresh machine: `make dev` and `make test`.
# Both create and use their own virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet
AXE    := .cache/npm/node_modules/axe-core/axe.min.js

IAC    := .venv-iac

.PHONY: dev test lint bench screenshots browser-deps iac-deps package venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install pip==26.2.1  # chalice 1.34 requires pip<26.3
	$(PIP) install -r requirements-dev.txt
	touch $@

## Run the whole register locally on moto (seeded demo data), on 127.0.0.1:$${PORT:-8000}.
dev: venv
	$(BIN)/python -m devstack

## Lint, type-check and run the full test suite (browser tests and IaC checks included), on
## $(WORKERS) pytest-xdist workers: a module's tests stay on one worker, the browser modules all on
## one (tests/conftest.py), so module fixtures and the browser tests' dev stack start once.
WORKERS ?= 2
test: lint browser-deps iac-deps
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadscope

## Screenshots of every page at phone size, into docs/screenshots/.
screenshots: venv browser-deps
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/browser

## Debian's Chromium (a browser download cannot work here) and axe-core from npm.
browser-deps: $(AXE)
	@command -v chromium >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

$(AXE):
	npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4.14.1

## cfn-lint and checkov, in their own virtual environment (their pins would fight the app's).
iac-deps: $(IAC)/.installed

$(IAC)/.installed: requirements-iac.txt
	$(PYTHON) -m venv $(IAC)
	$(IAC)/bin/python -m pip --disable-pip-version-check --quiet install pip==26.2.1
	$(IAC)/bin/python -m pip --disable-pip-version-check --quiet install -r requirements-iac.txt
	touch $@

## The deployable set for a stage: make package STAGE=prod → dist/prod/{sam.json,deployment.zip}.
package: venv
	$(BIN)/python infra/package.py --stage $(STAGE) --out dist/$(STAGE)

## Run the benchmarks in bench/, print the table, update docs/PERFORMANCE.md and bench/results.json.
bench: venv
	$(BIN)/python -m bench

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(IAC) dist .pytest_cache .mypy_cache .ruff_cache
