"""audit.runs keeps a row for every run (issue 10): a run killed before its end record is
closed as `killed` by the next run, and a run the lock refused is recorded too."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from core.run_lock import RunLockBusyError
from core.run_records import open_run, record_refused, refused_records, started_record

FACTS = {"as_of": date(2026, 3, 31), "trigger": "cli", "full_refresh": False}


def _runs(settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("select run_id, outcome, exit_code, message from audit.runs "
                           "order by started_at, run_id").fetchall()


def test_a_run_that_never_wrote_its_end_is_closed_as_killed_by_the_next(flexwh_env):
    flexwh_env.data_dir.mkdir(parents=True)
    open_run(flexwh_env, started_record("r1", started_at=datetime(2026, 4, 1, 2), **FACTS))
    # r1 is killed (SIGKILL): nothing more is written. The next run starts:
    open_run(flexwh_env, started_record("r2", started_at=datetime(2026, 4, 1, 3), **FACTS))

    assert _runs(flexwh_env) == [
        ("r1", "killed", 1, "ended without a record (killed, or the machine stopped); found "
                            "by run r2"),
        ("r2", "running", 1, "no end recorded"),
    ]


def test_a_refused_run_is_kept_and_written_by_the_next_run_holding_the_lock(flexwh_env):
    flexwh_env.data_dir.mkdir(parents=True)
    busy = RunLockBusyError("another run (pid 7, started 2026-04-01 02:00:00 UTC) holds the "
                            "warehouse; try again when it ends")
    record_refused(flexwh_env, "refused-1", error=busy, **FACTS)

    assert [r.run_id for r in refused_records(flexwh_env)] == ["refused-1"]
    open_run(flexwh_env, started_record("r2", started_at=datetime(2026, 4, 1, 3), **FACTS))

    assert [row[:3] for row in _runs(flexwh_env)] == [("r2", "running", 1),
                                                       ("refused-1", "refused", 1)]
    assert refused_records(flexwh_env) == []  # moved, not written twice
