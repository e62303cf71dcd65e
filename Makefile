# Every target sets itself up: a fresh clone needs only `make serve` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.stamp-runtime
TEST_STAMP := $(VENV)/.stamp-test
SYSTEM_STAMP := $(VENV)/.stamp-system
NODE_STAMP := tests/browser/node_modules/.stamp
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: build serve test bench fuzz fuzz-kills fuzz-cache clean

build: $(RUNTIME_STAMP)
	$(BIN)/studysite build .

serve: $(RUNTIME_STAMP)
	$(BIN)/studysite serve .

test: $(TEST_STAMP) $(SYSTEM_STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python tests/benchmark.py

# 100,000 generated lessons through the pipeline, in-process; the figures go into RELIABILITY.md.
fuzz: $(TEST_STAMP)
	$(BIN)/python tests/fuzz.py --lessons 100000 --record RELIABILITY.md

# Builds killed at random moments, and random damage to the build's cache (RELIABILITY.md).
fuzz-kills: $(TEST_STAMP)
	$(BIN)/python tests/fuzz_kills.py

fuzz-cache: $(TEST_STAMP)
	$(BIN)/python tests/fuzz_cache.py

clean:
	rm -rf public .studysite .pytest_cache tests/artifacts
	find . -name __pycache__ -prune -not -path './$(VENV)/*' -exec rm -rf {} +

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	$(PIP) install -e '.[test]'
	touch $@

$(SYSTEM_STAMP): tests/system-deps.sh | $(BIN)/python
	tests/system-deps.sh
	touch $@

# axe-core, pinned in tests/browser/package-lock.json, for the accessibility scan.
$(NODE_STAMP): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@
