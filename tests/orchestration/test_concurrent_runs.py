"""Two runs at once (operations.md): the second waits for the first, or stops with one clear
line, and the warehouse stays as after one ingest. Real `flexwh run` processes on the
fixture feeds (tests/fixtures/orchestration/landing, counted in test_materialize.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from core import run_lock
from core.settings import Settings

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

FLEXWH = Path(sys.executable).parent / "flexwh"
RAW_ROWS = {"usage": 4, "subscriptions": 2, "users": 2, "token_events": 1, "team_settings": 2}
HOLD = """
import sys, time
from core.run_lock import acquire
from core.settings import Settings
acquire(Settings.from_env(), 0)
print("held", flush=True)
time.sleep(600)
"""


def start_run(**env: str) -> subprocess.Popen:
    # One DuckDB and dbt thread each: two runs share the machine's two cores.
    environment = {**os.environ, "FLEXWH_THREADS": "1", **env}
    return subprocess.Popen([str(FLEXWH), "run"], env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def assert_one_ingest(settings: Settings) -> None:
    """Raw tables as after one ingest of the fixture feeds, every file loaded once, marts."""
    for feed, rows in RAW_ROWS.items():
        assert query(settings, f"select count(*) from raw.{feed}") == [(rows,)]
    assert query(settings, "select sha256, count(*) from audit.ingested_files "
                           "where status = 'loaded' group by sha256 having count(*) > 1") == []
    assert query(settings, "select count(distinct run_id), count(*) from audit.ingested_files "
                           "where status = 'loaded'") == [(1, 6)]
    assert query(settings, "select team, last_usage_day::varchar from marts.dim_team "
                           "order by team") == [("Acme", "2026-02-01"), ("Beta", "2026-01-11")]
    assert (settings.serving_dir / "flex_reporting.duckdb").exists()


def test_two_runs_at_once_the_second_waits_for_the_first(flexwh_env, orchestration_landing):
    first, second = start_run(FLEXWH_RUN_LOCK_TIMEOUT="900"), start_run(
        FLEXWH_RUN_LOCK_TIMEOUT="900")
    outputs = [process.communicate(timeout=900) for process in (first, second)]

    # One ingests the feeds (a rejected row: 3); the other finds nothing new (0).
    assert sorted([first.returncode, second.returncode]) == [0, 3], outputs
    waited = [out for out, _err in outputs if "waiting up to 900 s for another run (pid" in out]
    assert len(waited) == 1
    assert all(err == "" for _out, err in outputs)
    assert_one_ingest(flexwh_env)
    runs = query(flexwh_env, "select started_at, ended_at, exit_code, \"trigger\" "
                             "from audit.runs order by started_at")
    assert [(code, trigger) for _s, _e, code, trigger in runs] == [(3, "cli"), (0, "cli")]
    assert runs[0][1] <= runs[1][0]  # one after the other, never interleaved


def test_a_second_run_with_a_short_timeout_stops_with_one_line(flexwh_env,
                                                              orchestration_landing):
    first = start_run()
    deadline = time.monotonic() + 120
    while (run_lock.holder(flexwh_env) or {}).get("pid") != first.pid:
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.2)
    started = run_lock.holder(flexwh_env)["started_at"]

    second = subprocess.run([str(FLEXWH), "run"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "FLEXWH_RUN_LOCK_TIMEOUT": "1"}, check=False)
    out, err = first.communicate(timeout=900)

    assert second.returncode == 1
    assert second.stderr.splitlines() == [
        f"flexwh run: another run (pid {first.pid}, started {started}) holds the warehouse; "
        "try again when it ends"
    ]
    assert first.returncode == 3, out + err
    assert_one_ingest(flexwh_env)
    assert query(flexwh_env, "select count(*) from audit.runs") == [(1,)]  # the second never ran


def test_a_dagster_run_while_another_run_holds_the_warehouse_fails_before_any_step(
    flexwh_env, orchestration_landing
):
    from orchestration.definitions import defs

    holder = subprocess.Popen([sys.executable, "-c", HOLD], env=dict(os.environ), text=True,
                              stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "held"
        job = defs.resolve_job_def("nightly_job")
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(
                instance=instance, raise_on_error=False,
                run_config={"resources": {"run_lock": {"config": {"timeout_seconds": 0.5}}}})
            failure = result.get_run_failure_event()
    finally:
        holder.kill()
        holder.wait()

    assert not result.success
    assert f"another run (pid {holder.pid}, started " in str(failure.event_specific_data.error)
    assert not result.get_step_success_events()
    assert not flexwh_env.warehouse.exists()  # not a single write
