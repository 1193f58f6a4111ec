# Every command a person needs. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
SYSTEM_STAMP := $(VENV)/.installed-system
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# The PostgreSQL test server CI provides (trust auth); override to point elsewhere.
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres lint format bench install install-test system-deps clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Debian packages the tests drive for real: Chromium (Playwright never downloads a browser),
# Postfix's smtp-sink and SpamAssassin.
$(SYSTEM_STAMP): | $(BIN)/python
	@missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  [ -x /usr/sbin/smtp-sink ] || command -v smtp-sink >/dev/null || missing="$$missing postfix"; \
	  command -v spamassassin >/dev/null || missing="$$missing spamassassin"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP) $(SYSTEM_STAMP)
system-deps: $(SYSTEM_STAMP)

run: $(STAMP)
	$(BIN)/headlines run --demo

test: install-test
	$(MAKE) lint
	$(MAKE) test-sqlite
	@if [ "$$CI" = "true" ] || [ -n "$$HEADLINES_TEST_POSTGRES" ]; then $(MAKE) test-postgres; fi

test-sqlite: $(TEST_STAMP)
	$(BIN)/pytest -q -p no:cacheprovider

# The same suite on PostgreSQL (browser pages are database-agnostic and run once, above).
test-postgres: $(TEST_STAMP)
	HEADLINES_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider -m "not browser"

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
