"""Publication that scales with change: what did not change is not written again.

Each case publishes the serving database of test_team_batches.py, changes it the way a run
would, publishes again, and checks what was written (inode numbers: a linked file keeps
its inode, a folder left alone keeps its files) and that every folder still equals what
the one-team writer makes from scratch.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from exports.scheduled import stage_scheduled_exports
from exports.slugs import team_slugs
from tests.exports.test_team_batches import (
    AS_OF,
    build_serving,
    reference_folder,
    workbook_members,
)

NEXT_DAY = AS_OF + timedelta(days=1)


def publish(database: Path, export_dir: Path):
    with duckdb.connect(str(database), read_only=True) as con:
        return stage_scheduled_exports(con, export_dir, retention_days=30).commit()


def inodes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


def change(database: Path, *statements: tuple[str, list]) -> None:
    with duckdb.connect(str(database)) as con:
        for sql, params in statements:
            con.execute(sql, params)


def assert_as_from_scratch(database: Path, export_dir: Path, as_of: date) -> None:
    shutil.rmtree(export_dir.parent / "fresh", ignore_errors=True)
    with duckdb.connect(str(database), read_only=True) as con:
        teams = dict(con.execute("select team, pii_enabled from main.dim_team").fetchall())
        slugs = team_slugs(sorted(teams))
        for team, enabled in teams.items():
            folder = export_dir / slugs[team] / as_of.isoformat()
            fresh = reference_folder(con, team, enabled, slugs,
                                     export_dir.parent / "fresh" / slugs[team], as_of)
            for name in ("subscriptions.csv", "users.csv", "usage.csv"):
                assert (folder / name).read_bytes() == (fresh / name).read_bytes(), team
            assert workbook_members(folder / "flex_report.xlsx") == \
                workbook_members(fresh / "flex_report.xlsx"), team


def test_a_rerun_with_nothing_new_writes_nothing(tmp_path):
    database, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    teams = build_serving(database, 3)
    first = publish(database, exports)
    assert len(first.folders) == len(teams) and not first.unchanged
    before = {folder: (inodes(folder), (folder / "manifest.json").read_bytes())
              for folder in first.folders}
    second = publish(database, exports)
    assert second.folders == [] and sorted(second.unchanged) == sorted(first.folders)
    for folder, (files, manifest) in before.items():
        assert inodes(folder) == files
        assert (folder / "manifest.json").read_bytes() == manifest


def test_new_rows_of_one_team_rewrite_that_team_only(tmp_path):
    database, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    build_serving(database, 4)
    first = publish(database, exports)
    alpha = exports / "alpha" / AS_OF.isoformat()
    before = {folder: inodes(folder) for folder in first.folders}
    change(database, ("insert into main.fct_daily_usage values "
                      "('Alpha', ?, 'K-new', 'AutoCAD', '2026', 4.5)", [AS_OF]))
    second = publish(database, exports)
    assert second.folders == [alpha]
    assert inodes(alpha)["usage.csv"] != before[alpha]["usage.csv"]
    # Alpha's subscriptions did not change: linked from the folder it replaced.
    assert inodes(alpha)["subscriptions.csv"] == before[alpha]["subscriptions.csv"]
    for folder in first.folders:
        if folder != alpha:
            assert inodes(folder) == before[folder]
    assert_as_from_scratch(database, exports, AS_OF)


def test_a_new_day_links_the_unchanged_csv_files_and_renews_the_workbook(tmp_path):
    database, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    build_serving(database, 5)
    first = publish(database, exports)
    before = {folder.parent.name: inodes(folder) for folder in first.folders}
    with duckdb.connect(str(database), read_only=True) as con:
        # Teams with usage dated the next day: the range now reaches it.
        reaching = {team for (team,) in con.execute(
            "select distinct team from main.fct_daily_usage where day_used = ?",
            [NEXT_DAY]).fetchall()}
    new_usage = {team_slugs([team])[team] for team in reaching | {"Zeta & Co"}}
    assert 1 < len(new_usage) < len(first.folders)  # some teams of both kinds
    # The next day: a new as_of, new usage for Zeta only.
    change(database,
           ("update main.dim_report_window set as_of_date = ?", [NEXT_DAY]),
           ("update main.rpt_team_overview set as_of_date = ?", [NEXT_DAY]),
           ("insert into main.fct_daily_usage values "
            "('Zeta & Co', ?, 'K-new', 'AutoCAD', '2026', ?)", [NEXT_DAY, Decimal("2")]))
    second = publish(database, exports)
    assert len(second.folders) == len(first.folders)
    for folder in second.folders:
        assert folder.name == NEXT_DAY.isoformat()
        assert (folder.parent / "LATEST").read_text().strip() == NEXT_DAY.isoformat()
        now, then = inodes(folder), before[folder.parent.name]
        assert now["flex_report.xlsx"] != then["flex_report.xlsx"]  # as_of is on its Summary
        assert (now["subscriptions.csv"] == then["subscriptions.csv"])
        same_usage = now["usage.csv"] == then["usage.csv"]
        assert same_usage == (folder.parent.name not in new_usage)
    assert_as_from_scratch(database, exports, NEXT_DAY)


def test_a_file_removed_by_hand_is_written_again(tmp_path):
    database, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    build_serving(database, 6)
    publish(database, exports)
    folder = exports / "alpha" / AS_OF.isoformat()
    os.unlink(folder / "users.csv")
    second = publish(database, exports)
    assert second.folders == [folder]
    assert (folder / "users.csv").is_file()
    assert_as_from_scratch(database, exports, AS_OF)


def test_new_user_keys_that_only_reorder_rows_rewrite_the_files(tmp_path):
    """Named files do not show user_key but are ordered by it: new keys (another hash key,
    a relinked identity) with the same names and e-mails give files in another order."""
    database, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    build_serving(database, 1)
    publish(database, exports)
    change(database, *((f"update {table} set user_key = md5(user_key) where team = 'Alpha'",
                        []) for table in ("exports.exp_user_directory",
                                          "main.fct_daily_usage", "main.rpt_usage_by_user")))
    second = publish(database, exports)
    assert second.folders == [exports / "alpha" / AS_OF.isoformat()]
    assert_as_from_scratch(database, exports, AS_OF)
