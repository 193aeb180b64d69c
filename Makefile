# Two commands on a fresh machine: `make run` and `make test`. Both go through `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup run lint test test-fast bench eval clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: setup
	$(BIN)/reportpipe run raw --out extracted

# ruff and mypy as configured in pyproject.toml (every module of pipeline/ and flows.py).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

# While working: everything but the tests marked slow (OCR of a whole scan, the serve soak).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench.py

eval: setup
	$(BIN)/reportpipe run raw --out extracted --runner inline --quiet
	$(BIN)/reportpipe eval tests/gold/wechat-employment-2019-2020.jsonl extracted/wechat-employment-2019-2020

clean:
	rm -rf extracted/*/ extracted/manifest.json extracted/_failures.csv .pytest_cache
