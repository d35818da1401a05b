# Two commands on a fresh machine: `make demo` and `make test`. Each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit browser-deps bench bench-setup clean

$(STAMP): pyproject.toml tests/requirements-crosscheck.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q -r tests/requirements-crosscheck.txt
	$(BIN)/python -m journeymap.i18n.compile
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/journeymap demo --out demo-output

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

browser-deps:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@command -v pdftotext >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils)

unit: $(STAMP) browser-deps
	$(BIN)/python -m pytest -n 2

test: lint unit

bench-setup: $(STAMP)
	bash benchmarks/setup_peers.sh

bench: bench-setup
	$(BIN)/python -m benchmarks.run --sizes 100000,1000000

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
