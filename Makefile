# Entry points: `make chat` (set up, then talk), `make bot` (set up, then run the Telegram bot;
# needs TELEGRAM_BOT_TOKEN) and `make check` (set up, then every check).
# Set-up is a virtual environment in .venv, rebuilt when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat bot check lint test bench bench-load clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "InnerTalk needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

test: $(STAMP)
	$(BIN)/pytest

check: lint test

bench: $(STAMP)
	$(BIN)/python -m bench.llm_failover

# The load benchmark (about 10 minutes): the real bot process under simulated people.
bench-load: $(STAMP)
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
