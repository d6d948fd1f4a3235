"""audit.runs after real runs, and `flexwh status`: runs, files, rows, freshness per team.

The fixture feeds (tests/fixtures/orchestration/landing), worked by hand: 6 files load
(usage 2, one each for the other four feeds) with 11 rows; row 3 of 2026-02-usage.csv
(tokens `abc`) is rejected. Last usage day: Acme 2026-02-01 (its 2026-02-02 row is the
rejected one), Beta 2026-01-11; as of 2026-03-31 that is 58 and 79 days behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date

import duckdb
import pytest
from dagster import DagsterInstance

from core.settings import Settings
from flexwh.cli import main
from flexwh.status import _freshness_lines
from ingest.schema import ensure_schema

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

RUN_COLUMNS = ("\"trigger\", as_of, full_refresh, outcome, exit_code, files_loaded, "
               "files_rejected, rows_loaded, rows_rejected, checks_failed_error, "
               "checks_failed_warn, published, message")
HOLD = """
import sys, time, duckdb
from core.run_lock import acquire
from core.settings import Settings
settings = Settings.from_env()
acquire(settings, 0)
con = duckdb.connect(str(settings.warehouse)) if sys.argv[1] == "write" else None
print("held", flush=True)
time.sleep(600)
"""


@pytest.fixture
def one_thread(flexwh_env, monkeypatch):
    # dbt and DuckDB on one thread: a 2-core machine shared with other test runs.
    monkeypatch.setenv("FLEXWH_THREADS", "1")


def runs(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(f"select {RUN_COLUMNS} from audit.runs order by started_at").fetchall()


def test_records_and_status_after_a_run_with_a_rejected_row_then_a_full_refresh(
    flexwh_env, orchestration_landing, one_thread, capsys
):
    assert main(["run"]) == 3
    assert main(["run", "--full-refresh"]) == 0  # nothing new: no rejection this time
    capsys.readouterr()

    march_31 = date(2026, 3, 31)
    assert runs(flexwh_env) == [
        ("cli", march_31, False, "warnings", 3, 6, 0, 11, 1, 0, 1, True, None),
        ("cli", march_31, True, "success", 0, 0, 0, 0, 0, 0, 0, True, None),
    ]
    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines]
    assert lines[0].startswith("last runs (2 shown, newest first")
    # started date, time, outcome, exit, trigger, as of, files, rej., rows, rej., errors,
    # warnings, published: newest first.
    assert rows[2][2:] == ["success", "0", "cli", "2026-03-31", "0", "0", "0", "0", "0", "0",
                           "yes"]
    assert rows[3][2:] == ["warnings", "3", "cli", "2026-03-31", "6", "0", "11", "1", "0", "1",
                           "yes"]
    assert ["usage", "2", "0", "0", "0", "4", "1"] in rows  # files of all runs, per feed
    at = lines.index("data freshness: last usage day per team, days behind as of 2026-03-31 "
                     "(the last successful run)")
    assert rows[at + 1:] == [["team", "last", "usage", "day", "days", "behind"],
                             ["Beta", "2026-01-11", "79"], ["Acme", "2026-02-01", "58"],
                             ["alerts:", "0", "(0", "critical,", "0", "warnings)"]]


def test_a_crashed_run_is_recorded_as_failed_with_its_message(
    flexwh_env, orchestration_landing, users_ingest_crashes, capsys
):
    assert main(["run", "--as-of", "2026-03-30"]) == 1
    # Feeds before users loaded (usage with its rejected row); nothing was published.
    message = "step raw_users failed: OSError: No space left on device"
    (record,) = runs(flexwh_env)
    assert record[:9] == ("cli", date(2026, 3, 30), False, "failed", 1, 5, 0, 9, 1)
    assert record[-2:] == (False, message)
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert f"\n      {message}\n" in out
    assert "data freshness: no marts yet (a run builds them)" in out


def test_a_dagster_run_records_itself_with_its_trigger(flexwh_env, orchestration_landing,
                                                       monkeypatch):
    import ingest.pipeline
    from orchestration.definitions import defs

    def crash(con, feed, *args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(ingest.pipeline, "ingest_feed", crash)
    job = defs.resolve_job_def("nightly_job")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, tags={"dagster/schedule_name": "nightly"},
            run_config={"resources": {"warehouse": {"config": {"as_of": "2026-03-29"}}}})

    assert not result.success
    (record,) = runs(flexwh_env)
    assert record[:5] == ("schedule", date(2026, 3, 29), False, "failed", 1)
    assert record[-2] is False
    assert record[-1].startswith("step raw_") and record[-1].endswith("OSError: disk gone")


def start_holder(mode: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, mode], env=dict(os.environ),
                               text=True, stdout=subprocess.PIPE)
    assert process.stdout.readline().strip() == "held"
    return process


@pytest.mark.parametrize("mode", ["between_steps", "write"])
def test_status_while_a_run_holds_the_warehouse(flexwh_env, capsys, mode):
    flexwh_env.data_dir.mkdir(parents=True)
    with duckdb.connect(str(flexwh_env.warehouse)) as con:
        ensure_schema(con)
    holder = start_holder(mode)
    try:
        assert main(["status"]) == 0
    finally:
        holder.kill()
        holder.wait()
    lines = capsys.readouterr().out.splitlines()
    if mode == "write":  # the file is open for writing: one line, nothing read
        assert len(lines) == 1
        assert lines[0].startswith(f"a run (pid {holder.pid}, started ")
        assert lines[0].endswith(f"is writing the warehouse {flexwh_env.warehouse}; "
                                 "status is available when it ends")
    else:  # between two steps: what is there, said to be in progress
        assert lines[0].startswith(f"a run (pid {holder.pid}, started ")
        assert lines[0].endswith("is on: figures are as of its last finished step")
        assert lines[1:3] == ["last runs (0 shown, newest first; errors and warnings: "
                              "checks failed)", "  none recorded yet"]


def test_freshness_lists_the_teams_furthest_behind_first_then_the_count_of_the_rest():
    rows = [("Idle", None, None)] + [(f"T{i:02}", date(2026, 3, i), 31 - i)
                                      for i in range(1, 23)]
    lines = _freshness_lines(rows, date(2026, 3, 31))
    assert lines[1].split() == ["Idle", "no", "usage", "-"]
    assert lines[2].split() == ["T01", "2026-03-01", "30"]
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "  ... and 3 more teams, at most 11 days behind"


def test_status_rejections_lists_reasons_by_file_without_cell_values(flexwh_env, capsys):
    from tests.ingest.helpers import Landing

    landing = Landing(flexwh_env.data_dir)  # landing/, archive/ and warehouse.duckdb
    header = "team,day_used,product_name,tokens_used,email\n"
    landing.write("usage/a.csv", header + "Acme,2026-01-01,Revit,abc,ann@example.com\n"
                  "Acme,2026-01-02,Revit,1,ann@example.com\nAcme,2026-01-03,Revit,x,a@b.c\n"
                  "Acme,2026-01-04,Revit\n")
    landing.write("usage/old.csv", "team,product\nAcme,Revit\n")
    landing.ingest()

    assert main(["status", "--rejections"]) == 0

    out = capsys.readouterr().out
    when = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
    assert when.sub("WHEN", out).splitlines() == [
        "rejections by file, newest first",
        "  usage/a.csv: 3 of 4 rows rejected (WHEN)",
        "            2  tokens_used: not a number (rows 2, 4)",
        "            1  expected 5 cells, found 3 (row 5)",
        "  usage/old.csv: missing required columns of feed usage (header): day_used, "
        "tokens_used (rejected whole, WHEN)",
    ]
    assert "abc" not in out and "example.com" not in out


def test_alert_lines_list_critical_first_and_mark_new_ones():
    from flexwh.status import alert_lines

    rows = [("Beta", "critical", "unallocated", "5.000 tokens were consumed ...", True),
            ("Acme", "warning", "usage_spike", "140.000 tokens used ...", False)]
    assert alert_lines(rows) == [
        "alerts: 2 (1 critical, 1 warnings)",
        "  critical Beta: unallocated (new): 5.000 tokens were consumed ...",
        "  warning  Acme: usage_spike: 140.000 tokens used ..."]
