# Two entry points: `make generate` (the main job) and `make test` (every test).
# Each bootstraps .venv/ on first use from pyproject.toml; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: generate check validate test typecheck bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

generate: $(STAMP)
	$(BIN)/specgen generate

check: $(STAMP)
	$(BIN)/specgen check

validate: $(STAMP)
	$(BIN)/specgen validate

typecheck: $(STAMP)
	$(BIN)/mypy --strict $$(ls -d generated/*/ | grep -v contract_tests)

test: $(STAMP)
	$(BIN)/specgen check
	$(BIN)/mypy --strict $$(ls -d generated/*/ | grep -v contract_tests)
	$(BIN)/python -m pytest -q

# Benchmarks against the peers (README, "Benchmarks"): one table, within about 5 minutes.
# The peers live in their own venv, pinned by benchmarks/requirements.txt; BENCH_FULL=1 adds
# specgen on 1,000 endpoints (far longer than the default run's budget).
BENCH_VENV := benchmarks/.venv
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp

$(BENCH_STAMP): benchmarks/requirements.txt benchmarks/setup_peers.py
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python benchmarks/setup_peers.py
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

serve: $(STAMP)
	$(BIN)/specgen serve

clean:
	rm -rf $(VENV) .specgen-cache
