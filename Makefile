# Entry points: `make chat` (set up, then talk), `make bot` (set up, then run the Telegram bot;
# needs TELEGRAM_BOT_TOKEN) and `make check` (set up, then every check).
# Set-up is a virtual environment in .venv, installed from the hash-pinned lock
# (requirements-dev.lock) and rebuilt when the lock or pyproject.toml changes; `make lock`
# refreshes the locks from pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# The image's build backend (hatchling), pinned like everything else.
BUILD_LOCK := requirements-build.lock
# One universal lock for every platform and Python 3.11+; the dev lock is constrained by the
# runtime one, so the image (requirements.lock) runs exactly the versions the tests ran.
COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --generate-hashes \
	--python-version 3.11 --custom-compile-command "make lock" --quiet --upgrade --no-strip-extras

.PHONY: chat bot check lint audit test lock bench bench-load clean

$(STAMP): $(DEV_LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "InnerTalk needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

chat: $(STAMP)
	@$(BIN)/innertalk chat

bot: $(STAMP)
	@$(BIN)/innertalk bot

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Known vulnerabilities in the locked versions: fails when one has a fixed release.
audit: $(STAMP)
	$(BIN)/python -m tools.audit_lock $(LOCK) $(DEV_LOCK)

# Three workers on two cores: the suite mostly waits (real processes, sockets), so a third
# worker fills the gaps (docs/benchmarks.md, *The suite in parallel*); loadfile keeps each
# module's tests (and its module-scoped bot process) on one worker.
test: $(STAMP)
	$(BIN)/pytest -n 3 --dist loadfile

check: lint audit test

lock: $(STAMP)
	$(COMPILE) -o $(LOCK)
	$(COMPILE) --extra dev -c $(LOCK) -o $(DEV_LOCK)
	printf 'hatchling\n' | $(COMPILE:pyproject.toml=-) -c $(DEV_LOCK) -o $(BUILD_LOCK)

bench: $(STAMP)
	$(BIN)/python -m bench.llm_failover

# The load benchmark (about 10 minutes): the real bot process under simulated people.
bench-load: $(STAMP)
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
