# Two entry points for a fresh machine with Python 3.11, git and make:
#   make demo   install everything, generate demo feeds, run the nightly job
#   make test   run the whole test suite (make test-fast: the quick tier)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

.PHONY: install demo test test-fast lint validate dev lock parse bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

parse: install
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --project-dir .

# Exit 3 is a run that succeeded with warnings: the demo feeds hold one on purpose (an
# e-mail address of two Autodesk IDs, feeds.md "User identity").
demo: install parse
	$(BIN)/flexwh demo || [ $$? -eq 3 ]

# Two workers (pytest-xdist), a test module per worker at a time: module fixtures (a
# baseline nightly run) are built once. PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= 2
test: lint validate
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

# The loop while working: no dbt build, no nightly job, no fuzz corpus (tests marked slow
# are left out).
test-fast: install parse
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow"

lint: install parse
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

# DAGSTER_HOME under the data folder (FLEXWH_DATA_DIR), as `flexwh run` uses it.
DAGSTER_HOME_CMD = $(BIN)/python -c "from flexwh.runner import prepare_dagster_home; \
	from core.settings import Settings; print(prepare_dagster_home(Settings.from_env()))"

# The Dagster code location loads (assets, checks, jobs).
validate: install parse
	DAGSTER_HOME=$$($(DAGSTER_HOME_CMD)) $(BIN)/dagster definitions validate \
		-m orchestration.definitions

# The Dagster UI on workspace.yaml, sharing run history with `flexwh run`.
dev: install parse
	DAGSTER_HOME=$$($(DAGSTER_HOME_CMD)) $(BIN)/dagster dev

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

bench: install parse
	$(BIN)/python bench/bench_generate.py bench-1m bench-10m
	$(BIN)/python -m bench.bench_ingest --preset bench-10m
	$(BIN)/python -m bench.bench_models ledger
	$(BIN)/python -m bench.bench_models windows
	$(BIN)/python -m bench.bench_runs --preset bench-10m --memory-limit 1GB
	$(BIN)/python -m bench.bench_workbook

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs
