"""The warehouse resource: settings from FLEXWH_*, the dbt environment, one writer at a time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.warehouse import WarehouseBusyError
from orchestration.resources import WarehouseResource, dbt_process_environment


def test_dbt_environment_has_absolute_paths_and_the_key_only_as_a_secret(
    flexwh_env, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLEXWH_DATA_DIR", "relative-data")  # dbt runs in dbt_project/

    env = WarehouseResource(as_of="2026-01-31").dbt_environment()

    assert env["FLEXWH_WAREHOUSE"] == str(tmp_path / "relative-data" / "warehouse.duckdb")
    assert env["FLEXWH_AS_OF"] == "2026-01-31"  # the run's override wins over FLEXWH_AS_OF
    assert (env["FLEXWH_THREADS"], env["FLEXWH_MEMORY_LIMIT"]) == ("2", "1GB")
    with dbt_process_environment(env):
        assert os.environ["FLEXWH_DATA_DIR"] == str(tmp_path / "relative-data")
        # The key travels as a dbt secret: dbt masks it in logs and templates cannot read it.
        assert "FLEXWH_HASH_KEY" not in os.environ
        assert os.environ["DBT_ENV_SECRET_FLEXWH_HASH_KEY"] == flexwh_env.hash_key()
    assert os.environ["FLEXWH_DATA_DIR"] == "relative-data"
    assert os.environ["FLEXWH_HASH_KEY"]


def test_connections_get_the_memory_limit_and_threads(flexwh_env):
    with WarehouseResource().connect() as con:
        threads, memory = con.execute(
            "select current_setting('threads'), current_setting('memory_limit')"
        ).fetchone()
    assert (threads, memory) == (2, "953.6 MiB")  # FLEXWH_MEMORY_LIMIT=1GB: 10^9 bytes


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(30)
"""


def test_a_second_writer_waits_then_fails_with_a_clear_message(flexwh_env):
    path = Path(flexwh_env.warehouse)
    path.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with (
            pytest.raises(WarehouseBusyError, match="is in use by another process"),
            WarehouseResource(lock_timeout_seconds=1).connect(),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_the_dbt_version_dagster_is_told_is_the_executables():
    """FlexDbtCliResource skips `dbt --version`: the dbt-core in this process must be the
    one the executable runs, or dagster-dbt would pick its code paths for another dbt."""
    from orchestration.project import DBT_EXECUTABLE
    from orchestration.resources import dbt_resource

    shown = subprocess.run([str(DBT_EXECUTABLE), "--version"], capture_output=True,
                           text=True, check=True).stdout
    assert f"installed: {dbt_resource()._cli_version}" in shown.replace("- ", "")
