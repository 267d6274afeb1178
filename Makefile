# Yhdessä aika — the two commands are `make demo` and `make test`; both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: demo test check lint types unit package install clean locale bench

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(PY_STAMP) $(NODE_STAMP)

## Start the Graph sandbox, the bot and the Agents Playground; prints the URL. Ctrl-C stops all three.
demo: install
	$(BIN)/python scripts/demo.py

## Lint, type-check and run every test (end-to-end tests need Debian's chromium; they skip without it).
test: install
	$(BIN)/python scripts/check.py

check: test

## Benchmarks, each beside its baseline in the same run (3–5 min); the table goes to bench/results.md and README.
bench: $(PY_STAMP)
	$(BIN)/python -m bench

lint: $(PY_STAMP)
	$(BIN)/ruff check .

types: $(PY_STAMP)
	$(BIN)/mypy

unit: $(PY_STAMP)
	$(BIN)/python -m pytest tests/unit tests/contract -q

## Build and validate the Teams app package (build/yhdessa-aika.zip).
package: $(PY_STAMP)
	$(BIN)/python scripts/build_package.py

## Compile the gettext catalogs (locale/*/LC_MESSAGES/*.po -> .mo); a test fails while one is out of date.
locale: $(PY_STAMP)
	$(BIN)/python -m i18n.compile

clean:
	rm -rf build var test-artifacts .pytest_cache .mypy_cache .ruff_cache
