# Two entry points for a fresh machine with Python 3.11, git and make:
#   make demo   install everything, generate demo feeds, run the nightly job
#   make test   run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

.PHONY: install demo test lint lock parse bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

parse: install
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --project-dir .

demo: install parse
	$(BIN)/flexwh demo

test: install parse
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests
	$(BIN)/pytest

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

bench: install parse
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs
