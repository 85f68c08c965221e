# Two entry points: `make generate` (the main job) and `make test` (every test).
# Each bootstraps .venv/ on first use from pyproject.toml; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Wheels of specgen's runtime dependencies (and the build backend), fetched once with the install:
# the tests that install specgen into a fresh venv or a pre-commit env use them instead of the network.
WHEELS := $(VENV)/wheelhouse

.PHONY: generate check validate test typecheck lint bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -rf $(WHEELS)
	$(BIN)/python -m pip wheel --quiet --wheel-dir $(WHEELS) . 'setuptools>=68' wheel
	rm -f $(WHEELS)/specgen-*.whl
	touch $(STAMP)

generate: $(STAMP)
	$(BIN)/specgen generate

check: $(STAMP)
	$(BIN)/specgen check

validate: $(STAMP)
	$(BIN)/specgen validate

typecheck: $(STAMP)
	$(BIN)/mypy --strict $$(ls -d generated/*/ | grep -v contract_tests)

# The generator's own code: black, ruff and mypy --strict. mypy finds the `specgen` package
# through a link named specgen to generator/ (the editable install's import hook is invisible to it).
lint: $(STAMP)
	$(BIN)/black --check --quiet generator tests benchmarks
	$(BIN)/ruff check --quiet generator tests benchmarks
	mkdir -p $(VENV)/mypy-path && ln -sfn ../../generator $(VENV)/mypy-path/specgen
	MYPYPATH=$(VENV)/mypy-path $(BIN)/mypy --strict -p specgen

test: $(STAMP)
	$(BIN)/specgen check
	$(BIN)/mypy --strict $$(ls -d generated/*/ | grep -v contract_tests)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -q

# Benchmarks against the peers (README, "Benchmarks"): one table, within about 5 minutes.
# The peers live in their own venv, pinned by benchmarks/requirements.txt; specgen's cold run on
# 1,000 endpoints gets what is left of the budget, BENCH_FULL=1 as long as it needs.
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
