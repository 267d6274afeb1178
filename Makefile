# Yhdessä aika — the two commands are `make demo` and `make test`; both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: demo test check lint types unit package install clean locale bench lock

# The locked dependency set (hashes), the sandbox (its own distribution, development only), and the checkout on the
# venv's path: nothing of the application itself is installed into site-packages.
$(PY_STAMP): requirements/development.txt sandbox/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/development.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ./sandbox
	$(BIN)/python -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_path('purelib'), 'yhdessa_aika_checkout.pth').write_text('$(CURDIR)\n')"
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

# The production dependency set alone, for the bots the benchmarks run: the development tools (rich, click,
# pygments) change what httpx imports, +5 MB and 30 ms to a start that production never pays.
PROD_VENV := .venv-production
PROD_STAMP := $(PROD_VENV)/.installed
$(PROD_STAMP): requirements/production.txt
	$(PYTHON) -m venv $(PROD_VENV)
	$(PROD_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/production.txt
	touch $@

## Benchmarks, each beside its baseline in the same run (3–5 min); the table goes to bench/results.md and README.
bench: $(PY_STAMP) $(NODE_STAMP) $(PROD_STAMP)
	$(BIN)/python -m bench --python $(PROD_VENV)/bin/python

lint: $(PY_STAMP)
	$(BIN)/ruff check .

types: $(PY_STAMP)
	$(BIN)/mypy

unit: $(PY_STAMP)
	$(BIN)/python -m pytest tests/unit tests/services tests/graph tests/contract -q

## Build and validate the Teams app package (build/yhdessa-aika.zip).
package: $(PY_STAMP)
	$(BIN)/python scripts/build_package.py

## Compile the gettext catalogs (i18n/locale/*/LC_MESSAGES/*.po -> .mo); a test fails while one is out of date.
locale: $(PY_STAMP)
	$(BIN)/python -m i18n.compile

## Pin the whole dependency set again, with hashes (requirements/production.txt for the image, development.txt).
lock: $(PY_STAMP)
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe \
		-o requirements/production.txt pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe \
		--extra dev -o requirements/development.txt pyproject.toml

clean:
	rm -rf build var test-artifacts .pytest_cache .mypy_cache .ruff_cache
