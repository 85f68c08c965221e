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

serve: $(STAMP)
	$(BIN)/specgen serve

clean:
	rm -rf $(VENV) .specgen-cache
