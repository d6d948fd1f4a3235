"""The scheduled exports: every team's folder for the run's as_of, LATEST, retention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from exports.publish import StagedFolder, prune_exports, stage_folder, write_latest
from exports.queries import HASHED, NAMED, ExportScope
from exports.slugs import team_slugs
from exports.team_batches import team_batches


@dataclass(frozen=True)
class ScheduledExports:
    """What a run published: one folder per team, and the folders retention removed."""

    as_of: date
    folders: list[Path]
    removed: list[Path]


def published_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The as_of of the marts of a serving database (the reporting day of their build)."""
    rows = con.execute("select max(as_of_date) from main.dim_report_window").fetchall()
    if not rows or rows[0][0] is None:
        raise LookupError("the warehouse has no marts yet: run `flexwh run` first")
    return rows[0][0]


def window_start(con: duckdb.DuckDBPyConnection, window_key: str) -> date:
    return con.execute("select start_date from main.dim_report_window where window_key = ?",
                       [window_key]).fetchall()[0][0]


@dataclass
class StagedExports:
    """Every team's folder written under a temporary name: commit() renames them into
    place, then LATEST and retention; discard() removes them."""

    as_of: date
    export_dir: Path
    staged: list[StagedFolder]
    retention_days: int

    def commit(self) -> ScheduledExports:
        folders = [staged.commit() for staged in self.staged]
        # LATEST and retention once every folder is in place.
        removed = []
        for folder in folders:
            write_latest(folder.parent, self.as_of.isoformat())
            removed += prune_exports(folder.parent, self.retention_days)
        return ScheduledExports(self.as_of, folders, removed)

    def discard(self) -> None:
        for staged in self.staged:
            staged.discard()


def publish_scheduled_exports(con: duckdb.DuckDBPyConnection, export_dir: Path,
                              retention_days: int,
                              progress: Callable[[str], None] = lambda line: None,
                              ) -> ScheduledExports:
    """Every team's folder for as_of, published (see stage_scheduled_exports)."""
    return stage_scheduled_exports(con, export_dir, retention_days, progress).commit()


def stage_scheduled_exports(con: duckdb.DuckDBPyConnection, export_dir: Path,
                            retention_days: int,
                            progress: Callable[[str], None] = lambda line: None,
                            ) -> StagedExports:
    """Every team of dim_team: last_12_months and the days after it up to as_of (exports.md).

    `con` reads the serving database being published: exports hold what it holds.
    """
    as_of = published_as_of(con)
    start = window_start(con, "last_12_months")
    teams = con.execute("select team, pii_enabled from main.dim_team order by team").fetchall()
    slugs = team_slugs(team for team, _ in teams)
    scopes = [ExportScope(tuple(team for team, enabled in teams if bool(enabled) == named),
                          start, as_of, NAMED if named else HASHED) for named in (True, False)]
    staged: list[StagedFolder] = []
    try:
        batches = team_batches(con, scopes, slugs, as_of.isoformat(), export_dir)
        for index, (batch, team) in enumerate(batches, start=1):
            staged.append(stage_folder(
                export_dir / slugs[team], as_of.isoformat(),
                lambda folder, batch=batch, team=team: batch.write(team, folder)))
            if index % max(1, len(teams) // 10) == 0 or index == len(teams):
                progress(f"{index}/{len(teams)} teams' exports written")
    except BaseException:
        for folder in staged:
            folder.discard()
        raise
    return StagedExports(as_of, export_dir, staged, retention_days)
