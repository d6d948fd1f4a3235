"""The landing_files sensor: one run per new landing state, never a write to the warehouse."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import build_sensor_context

from ingest.discovery import discover
from ingest.pipeline import ingest_all
from orchestration.sensors import (
    MINIMUM_INTERVAL_SECONDS,
    fingerprint,
    landing_files_sensor,
)

USAGE = ("Team,Day used,User name,Product name,Version,Tokens used\n"
         "acme,2026-03-30,ann,AutoCAD,2026,5\n")


def tick(cursor: str | None = None):
    """What the daemon gets from one evaluation with the stored cursor."""
    return landing_files_sensor.evaluate_tick(build_sensor_context(cursor=cursor))


def land(settings, rel_path: str, text: str) -> Path:
    path = settings.landing_dir / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_empty_landing_folder_is_a_skip(flexwh_env):
    flexwh_env.landing_dir.mkdir(parents=True)
    (flexwh_env.landing_dir / "notes.txt").write_text("not in a feed folder")

    data = tick()

    assert data.run_requests == []
    assert data.skip_message == f"no feed files in the landing folder {flexwh_env.landing_dir}"


def test_one_run_per_landing_state_and_a_new_one_when_a_file_changes(flexwh_env):
    path = land(flexwh_env, "usage/2026-03-usage.csv", USAGE)

    first = tick()
    [request] = first.run_requests
    assert request.job_name in (None, "nightly_job")
    assert request.run_key == first.cursor and len(first.cursor) == 64  # a sha256
    assert request.tags["flexwh/trigger"] == "landing_files"
    # A cursor lost or not yet stored: the same run key, which Dagster launches only once.
    assert tick().run_requests[0].run_key == request.run_key

    again = tick(first.cursor)  # nothing changed since the last tick
    assert again.run_requests == []
    assert "a run was requested for them already" in again.skip_message
    assert again.cursor == first.cursor  # a skip keeps the stored cursor

    with path.open("a", encoding="utf-8") as handle:
        handle.write("acme,2026-03-31,ann,AutoCAD,2026,7\n")
    changed = tick(first.cursor)
    [request] = changed.run_requests
    assert request.run_key == changed.cursor != first.cursor

    # The warehouse was never created: the sensor does not open it for writing.
    assert not flexwh_env.warehouse.exists()


def test_files_the_warehouse_has_ingested_are_not_new(flexwh_env, orchestration_landing):
    flexwh_env.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(flexwh_env.warehouse)) as con:
        ingest_all(con, orchestration_landing, flexwh_env.archive_dir, "run-1")
    before = flexwh_env.warehouse.stat().st_mtime_ns

    data = tick()
    assert data.run_requests == []
    assert data.skip_message == "all 6 files in the landing folder are ingested already"

    land(flexwh_env, "usage/2026-03-usage.csv", USAGE)
    [request] = tick().run_requests
    # The key covers only the file not ingested yet, not the six the warehouse knows.
    [new] = [f for f in discover(orchestration_landing, "usage") if "2026-03" in f.rel_path]
    assert request.run_key == fingerprint([new])
    assert flexwh_env.warehouse.stat().st_mtime_ns == before


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(30)
"""


@contextmanager
def holding(script: str, *args: str) -> Iterator[subprocess.Popen]:
    """Another process running `script` until it printed "locked", killed afterwards."""
    holder = subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_a_warehouse_locked_by_a_run_is_a_skip_not_a_failure(flexwh_env):
    land(flexwh_env, "usage/2026-03-usage.csv", USAGE)
    flexwh_env.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with holding(HOLD, str(flexwh_env.warehouse)):
        data = tick()

    assert data.run_requests == []
    assert data.skip_message == (f"warehouse {flexwh_env.warehouse} is in use by a run; "
                                 "looking again at the next tick")


def test_the_sensor_looks_at_most_once_a_minute_and_targets_the_nightly_job():
    assert landing_files_sensor.name == "landing_files"
    assert landing_files_sensor.minimum_interval_seconds == MINIMUM_INTERVAL_SECONDS == 60
    assert landing_files_sensor.job_name == "nightly_job"


HOLD_RUN_LOCK = """
import sys
from core.run_lock import acquire
from core.settings import Settings
acquire(Settings.from_env())
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_run_holding_the_run_lock_is_a_skip_even_between_its_steps(flexwh_env):
    # Between two steps a run holds no connection, but its ingest may not have reached the
    # landed file yet: no second run is queued for it.
    land(flexwh_env, "usage/2026-03-usage.csv", USAGE)
    with holding(HOLD_RUN_LOCK) as holder:
        data = tick()
    assert data.run_requests == []
    assert data.skip_message.startswith(f"a run (pid {holder.pid}, started ")
    assert data.skip_message.endswith("is writing the warehouse; looking again at the next tick")
    assert tick().run_requests  # once it is gone, the file is new
