"""Nightly runs end to end: history, then one more day and a late correction, run
incrementally through `flexwh run`, equal a `--full-refresh` rebuild of the same warehouse.

The fixture feeds (tests/fixtures/orchestration/landing) hold Acme's usage of 2026-01-10
(U1: AutoCAD 7, Revit 10) and 2026-02-01 (U2: AutoCAD 7) and Beta's of 2026-01-11. The
second delivery adds 2026-03-02 (U1: AutoCAD 5) and re-delivers 2026-01-10 with U1's Revit
only, 12 tokens: the AutoCAD row of that day must disappear (feeds.md re-delivery).
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flexwh.cli import main
from orchestration.assets.dbt import LAYOUT_VERSION

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

HEADER = "team,day_used,product_name,version,tokens_used,autodesk_id\n"
NEW_DAY = HEADER + "Acme,2026-03-02,AutoCAD,2026,5,U1\n"
CORRECTION = HEADER + "Acme,2026-01-10,Revit,2026,12,U1\n"


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of the marts schema, its rows sorted."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "order by table_name").fetchall()]
        return {name: sorted(con.execute(f'select * from marts."{name}"').fetchall(), key=repr)
                for name in names}


def test_an_incremental_run_with_a_new_day_and_a_late_correction_equals_a_full_refresh(
        flexwh_env, orchestration_landing, tmp_path, monkeypatch):
    assert main(["run", "--as-of", "2026-02-28"]) == 3  # the fixture's rejected `abc` row
    usage = orchestration_landing / "usage"
    (usage / "2026-03-usage.csv").write_text(NEW_DAY)
    (usage / "2026-04-fix-2026-01-10.csv").write_text(CORRECTION)

    assert main(["run", "--as-of", "2026-03-31"]) == 0
    incremental = marts(flexwh_env.warehouse)

    # Hand-worked: the corrected day holds only the re-delivered row; the new day is there.
    acme = [(day, product, tokens) for team, day, _, product, _, tokens
            in incremental["fct_daily_usage"] if team == "Acme"]
    assert sorted(acme) == [(date(2026, 1, 10), "Revit", Decimal("12.000")),
                            (date(2026, 2, 1), "AutoCAD", Decimal("7.000")),
                            (date(2026, 3, 2), "AutoCAD", Decimal("5.000"))]
    with duckdb.connect(str(flexwh_env.warehouse), read_only=True) as con:
        assert con.execute(
            "select total_tokens from marts.rpt_usage_summary "
            "where team = 'Acme' and window_key = 'last_3_months'").fetchall() == [
            (Decimal("24.000"),)]
        # The successful builds recorded their layout: the next one stays incremental.
        assert con.execute("select layout_version from audit.warehouse_layout").fetchall() == [
            (LAYOUT_VERSION,)]

    # The same warehouse rebuilt from its raw tables.
    copy = tmp_path / "full"
    shutil.copytree(flexwh_env.data_dir, copy)
    monkeypatch.setenv("FLEXWH_DATA_DIR", str(copy))
    assert main(["run", "--as-of", "2026-03-31", "--full-refresh"]) == 0
    assert marts(copy / "warehouse.duckdb") == incremental


def files_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root: (inode, mtime in ns). A file written again changes both."""
    return {str(path.relative_to(root)): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in sorted(root.rglob("*")) if path.is_file()}


def dbt_invocations(data_dir: Path) -> int:
    log = (data_dir / "logs" / "flexwh.log").read_text(encoding="utf-8")
    return log.count("Finished running ")  # dbt's own last line, once per build


def test_a_rerun_with_nothing_new_rebuilds_and_publishes_nothing(flexwh_env,
                                                                 orchestration_landing):
    """The same as_of, no new file: dbt does not run, the serving database and every
    export file stay the very files of the run before; a new file, or another as_of,
    builds and publishes again."""
    assert main(["run", "--as-of", "2026-02-28"]) == 3  # the fixture's rejected `abc` row
    data = flexwh_env.data_dir
    served, exported = files_state(data / "serving"), files_state(flexwh_env.export_dir)
    builds = dbt_invocations(data)

    assert main(["run", "--as-of", "2026-02-28"]) == 0  # nothing rejected: nothing new
    assert dbt_invocations(data) == builds
    assert files_state(data / "serving") == served
    assert files_state(flexwh_env.export_dir) == exported

    (orchestration_landing / "usage" / "2026-02-late.csv").write_text(
        HEADER + "Beta,2026-02-20,Maya,2026,3,U9\n")
    assert main(["run", "--as-of", "2026-02-28"]) == 0
    assert dbt_invocations(data) == builds + 1
    with duckdb.connect(str(data / "serving" / "flex_reporting.duckdb"), read_only=True) as con:
        assert con.execute("select sum(tokens_used) from fct_daily_usage "
                           "where team = 'Beta' and day_used = '2026-02-20'").fetchall() == [
            (Decimal("3.000"),)]
    beta = [name for name in files_state(flexwh_env.export_dir) if name.startswith("beta/")]
    assert any(files_state(flexwh_env.export_dir)[name] != exported.get(name) for name in beta)

    assert main(["run", "--as-of", "2026-03-01"]) == 0
    assert dbt_invocations(data) == builds + 2
