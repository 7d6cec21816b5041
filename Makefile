# The two commands: `make run` and `make test`. Both create .venv on first use and reinstall
# only when a pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGIN_PROJECTS := $(wildcard plugins/*/pyproject.toml)
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(PLUGIN_PROJECTS))

.PHONY: run test bench-media bench-queue screenshots lint clean

$(STAMP): pyproject.toml $(PLUGIN_PROJECTS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "vclinic needs Python 3.11 or newer as $(PYTHON)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]' \
		$(foreach d,$(PLUGIN_DIRS),-e ./$(d))
	@touch $@

run: $(STAMP)
	@mkdir -p var
	$(BIN)/vclinic serve --demo

# Tests wait on real networks, browsers and media far more than they compute, and each uses its
# own ports, database and directories, so one process per core (two here) halves the suite's
# time; a test file stays on one process (its module-scoped node and browser start once).
# PYTEST_ARGS="-n 0" runs it in one process.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

bench-media: $(STAMP)
	$(BIN)/python -P benchmarks/media_forward.py

bench-queue: $(STAMP)
	$(BIN)/python -P benchmarks/queue.py

screenshots: $(STAMP)
	$(BIN)/python -m tests.e2e.screenshots

lint: $(STAMP)
	$(BIN)/python -m ruff check vclinic plugins tests benchmarks
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) var .pytest_cache
