"""dbt in the test process (dbtRunner), with one parse per reporting day.

A `dbt` subprocess pays Python's start-up, dbt's imports and a full parse (partial parse
is refused whenever the warehouse path or the vars change, as they do from test to test):
about 7 s before the first model. Here dbt runs in this process with a manifest parsed
once per distinct `--vars`, FLEXWH_AS_OF and warehouse file name (what parsing reads:
`as_of` is rendered into the ledger model's config, and dbt-duckdb names the database
after the file), then handed to every later build.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest

from orchestration.project import DBT_PROJECT_DIR

PROJECT = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
_manifests: dict[tuple[str, str, str], Manifest] = {}


def run_dbt(args: Sequence[str], env: Mapping[str, str], *, vars_json: str = "",
            expect_success: bool = True) -> str:
    """`dbt <args>` with `env` as the whole environment (FLEXWH_WAREHOUSE names the
    warehouse); the messages dbt logged, for asserts and failure reports."""
    warehouse = Path(env["FLEXWH_WAREHOUSE"])
    messages: list[str] = []
    var_args = ["--vars", vars_json] if vars_json else []
    with _environment(env):
        manifest = _manifest(vars_json, warehouse.stem, env.get("FLEXWH_AS_OF", ""))
        runner = dbtRunner(manifest=manifest,
                           callbacks=[lambda event: messages.append(event.info.msg)])
        try:
            result = runner.invoke([*args, *var_args, *PROJECT])
        finally:
            _close_duckdb()
    output = "\n".join(messages)
    assert result.success == expect_success, output[-6000:] + f"\n{result.exception or ''}"
    return output


def _manifest(vars_json: str, warehouse_stem: str, as_of_setting: str) -> Manifest:
    key = (vars_json, warehouse_stem, as_of_setting)
    if key not in _manifests:
        with tempfile.TemporaryDirectory() as scratch:
            result = dbtRunner().invoke([
                "parse", *(["--vars", vars_json] if vars_json else []), *PROJECT,
                "--target-path", scratch, "--log-path", scratch, "--no-partial-parse",
            ])  # fmt: skip
        assert result.success, result.exception
        _manifests[key] = result.result
    return _manifests[key]


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _close_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in a class attribute after the run (for
    the next one in the process): closed, so the test can open the warehouse file."""
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
