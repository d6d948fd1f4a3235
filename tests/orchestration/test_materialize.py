"""The whole graph on hand-written feeds (tests/fixtures/orchestration/landing), for real:
DuckDB file, ingest, Great Expectations checks, dbt build, and `flexwh run` exit codes.

The fixture feeds, counted by hand:
- usage: 2026-01-usage.csv 3 rows; 2026-02-usage.csv (2026 headers) 2 rows, of which
  row 3 has tokens `abc`: rejected. raw.usage 4 rows, staging 4 (no key twice).
- subscriptions 2 rows (S1, S2), users 2, token_events 1 (an adjustment), team_settings 2.
"""

from __future__ import annotations

import os
import re

import duckdb
import pytest
from dagster import AssetCheckSeverity, DagsterInstance

from core.settings import Settings
from flexwh.cli import main

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

RAW_ROWS = {"usage": 4, "subscriptions": 2, "users": 2, "token_events": 1, "team_settings": 2}
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def count(settings: Settings, table: str) -> int:
    return query(settings, f"select count(*) from {table}")[0][0]


def test_nightly_job_loads_builds_and_checks_the_fixture_feeds(flexwh_env, orchestration_landing):
    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_job")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, run_config=QUIET, raise_on_error=False)

    assert result.success
    assert {feed: count(flexwh_env, f"raw.{feed}") for feed in RAW_ROWS} == RAW_ROWS
    assert {feed: count(flexwh_env, f"staging.stg_autodesk__{feed}") for feed in RAW_ROWS} == (
        RAW_ROWS
    )
    assert query(flexwh_env, "select path, row_number, reason from audit.rejected_rows") == [
        ("usage/2026-02-usage.csv", 3, "tokens_used: not a number: 'abc'")
    ]
    usage = next(
        m for m in result.get_asset_materialization_events() if m.asset_key.path == ["raw_usage"]
    ).materialization.metadata
    assert (usage["files_loaded"].value, usage["rows_loaded"].value) == (2, 4)
    assert usage["rows_rejected"].value == 1

    evaluations = result.get_asset_check_evaluations()
    failed = {(e.asset_key.to_user_string(), e.check_name, e.severity) for e in evaluations
              if not e.passed}
    # The one rejected row fails the WARN check of its feed; every ERROR check passes.
    assert failed == {("raw_usage", "no_rejections", AssetCheckSeverity.WARN)}
    assert any(e.check_name == "not_null_stg_autodesk__usage_team" and e.passed
               for e in evaluations)  # dbt tests ran as checks too
    assert len({e.asset_key for e in evaluations if e.asset_key.path[0].startswith("raw_")}) == 7


CLEAN_FEBRUARY = (
    "Team,Usage Date,Product,Version,Tokens,Autodesk ID,Email\n"
    "Acme,2026-02-01,AutoCAD,2026,7,U2,\n"
)
LATE_FILE = (  # a re-delivery of 2026-02-01 plus a row with a negative amount: rejected
    "team,day_used,product_name,version,tokens_used,autodesk_id\n"
    "Acme,2026-02-01,AutoCAD,2026,8,U2\n"
    "Acme,2026-02-03,Revit,2026,-4,U2\n"
)


def test_flexwh_run_exit_codes_over_three_deliveries(flexwh_env, orchestration_landing, capsys):
    (orchestration_landing / "usage" / "2026-02-usage.csv").write_text(CLEAN_FEBRUARY)

    assert main(["run"]) == 0  # a clean folder
    out = capsys.readouterr().out
    assert "[7/20] raw_usage: 2 files loaded, 0 rejected; 4 rows loaded, 0 rejected" in out
    assert re.search(r"\[16/20\] dbt_models: \d+ models built; \d+ checks passed", out)
    assert "success (exit 0)" in out

    (orchestration_landing / "usage" / "2026-03-late.csv").write_text(LATE_FILE)
    assert main(["run"]) == 3  # one rejected row: published, with a warning
    captured = capsys.readouterr()
    assert "raw_usage: 1 files loaded, 0 rejected; 1 rows loaded, 1 rejected" in captured.out
    assert "failed: raw_usage no_rejections (WARN)" in captured.out
    assert captured.err == ""
    assert count(flexwh_env, "raw.usage") == 5
    # The late file replaced (Acme, 2026-02-01): 8 tokens, not 7 + 8.
    assert query(flexwh_env, "select sum(tokens_used) from staging.stg_autodesk__usage "
                             "where day_used = '2026-02-01'") == [(8,)]

    assert main(["run"]) == 0  # nothing new: the checks pass on zero rows
    assert re.search(r"checks: \d+ passed, 0 errors failed, 0 warnings failed",
                     capsys.readouterr().out)

    log = (flexwh_env.data_dir / "logs" / "flexwh.log").read_text()
    assert "raw_usage usage: 1 files loaded" in log  # Dagster events are in the log file
    assert "Ann" not in log and "example" not in log  # personal data stays in the warehouse


def test_an_error_check_failure_stops_the_build_and_exits_1(
    flexwh_env, orchestration_landing, monkeypatch, capsys
):
    import ingest.pipeline

    real_ingest_feed = ingest.pipeline.ingest_feed

    def ingest_then_corrupt(con, feed, *args, **kwargs):
        # A bug in ingest that lets a negative amount through: GX must catch it.
        result = real_ingest_feed(con, feed, *args, **kwargs)
        if feed == "usage":
            con.execute("""
                insert into raw.usage by name
                select * replace (-5 as tokens_used, 99 as _row_number)
                from raw.usage limit 1
            """)
        return result

    monkeypatch.setattr(ingest.pipeline, "ingest_feed", ingest_then_corrupt)

    assert main(["run"]) == 1
    captured = capsys.readouterr()
    assert "failed: raw_usage tokens_used_not_negative (ERROR)" in captured.out
    assert "[16/20] dbt_models: not run" in captured.out
    assert captured.err.strip().splitlines() == [
        "flexwh run: ERROR check failed: raw_usage tokens_used_not_negative (ERROR)"
    ]
    # Blocking check: dbt never ran, so no staging schema was built from the bad rows.
    assert query(flexwh_env, "select count(*) from information_schema.tables "
                             "where table_schema = 'staging'") == [(0,)]


@pytest.fixture(autouse=True)
def _no_environment_leak():
    """`flexwh run` sets DAGSTER_HOME for the run only; dbt calls restore FLEXWH_*."""
    def environment() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}

    before = environment()
    yield
    assert environment() == before



def test_a_crashed_step_is_one_line_on_stderr_and_a_traceback_in_the_log(
    flexwh_env, orchestration_landing, users_ingest_crashes, capsys
):
    assert main(["run"]) == 1
    captured = capsys.readouterr()
    assert "[8/20] raw_users: FAILED: OSError: No space left on device" in captured.out
    assert "raw_users_checks: not run" in captured.out
    assert captured.err == "flexwh run: step raw_users failed: OSError: No space left on device\n"
    log = (flexwh_env.data_dir / "logs" / "flexwh.log").read_text()
    assert "Traceback" in log or 'File "' in log
