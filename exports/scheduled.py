"""The scheduled exports: every team's folder for the run's as_of, LATEST, retention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from exports.fingerprints import read_inputs, team_fingerprints
from exports.folder import WORKBOOK
from exports.manifest import MANIFEST
from exports.publish import StagedFolder, prune_exports, read_latest, stage_folder, write_latest
from exports.queries import HASHED, NAMED, ExportScope
from exports.slugs import team_slugs
from exports.team_batches import TeamPlan, team_batches


@dataclass(frozen=True)
class ScheduledExports:
    """What a run published: one folder per team (new, or kept as it was), and the folders
    retention removed."""

    as_of: date
    folders: list[Path]
    removed: list[Path]
    unchanged: list[Path] = field(default_factory=list)


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
    place, then LATEST and retention; discard() removes them. Teams whose folder for this
    as_of already holds what they would get are left as they are."""

    as_of: date
    export_dir: Path
    staged: list[StagedFolder]
    retention_days: int
    unchanged: list[Path] = field(default_factory=list)

    def commit(self) -> ScheduledExports:
        folders = [staged.commit() for staged in self.staged]
        # LATEST and retention once every folder is in place.
        removed = []
        for folder in [*folders, *self.unchanged]:
            if read_latest(folder.parent) != self.as_of.isoformat():
                write_latest(folder.parent, self.as_of.isoformat())
            removed += prune_exports(folder.parent, self.retention_days)
        return ScheduledExports(self.as_of, folders, removed, list(self.unchanged))

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

    `con` reads the serving database being published: exports hold what it holds. A file
    whose fingerprint (exports/fingerprints.py) equals the one of the team's last folder is
    linked from there; a team whose folder for this as_of holds all of them keeps it.
    """
    as_of = published_as_of(con)
    start = window_start(con, "last_12_months")
    teams = con.execute("select team, pii_enabled from main.dim_team order by team").fetchall()
    slugs = team_slugs(team for team, _ in teams)
    scopes = [ExportScope(tuple(team for team, enabled in teams if bool(enabled) == named),
                          start, as_of, NAMED if named else HASHED) for named in (True, False)]
    plans: dict[str, TeamPlan] = {}
    unchanged: list[Path] = []
    for scope in scopes:
        for team, fingerprints in team_fingerprints(con, scope, as_of.isoformat(),
                                                    slugs).items():
            plan = _plan(export_dir / slugs[team], as_of.isoformat(), fingerprints)
            if plan is None:
                unchanged.append(export_dir / slugs[team] / as_of.isoformat())
            else:
                plans[team] = plan
    to_write = [ExportScope(tuple(team for team in scope.teams if team in plans), start,
                            as_of, scope.pii_mode) for scope in scopes]
    total = sum(len(scope.teams) for scope in to_write)
    progress(f"{total} of {len(teams)} teams' exports to write, {len(unchanged)} unchanged")
    staged: list[StagedFolder] = []
    try:
        batches = team_batches(con, to_write, slugs, as_of.isoformat(), export_dir, plans)
        for index, (batch, team) in enumerate(batches, start=1):
            staged.append(stage_folder(
                export_dir / slugs[team], as_of.isoformat(),
                lambda folder, batch=batch, team=team: batch.write(team, folder)))
            if index % max(1, total // 10) == 0 or index == total:
                progress(f"{index}/{total} teams' exports written")
    except BaseException:
        for folder in staged:
            folder.discard()
        raise
    return StagedExports(as_of, export_dir, staged, retention_days, unchanged)


def _plan(team_dir: Path, as_of: str, fingerprints: dict[str, str]) -> TeamPlan | None:
    """What to write for one team; None when its folder for as_of holds all of it."""
    previous = team_dir / as_of
    if not (previous / MANIFEST).is_file():
        latest = read_latest(team_dir)
        previous = team_dir / latest if latest else None
    if previous is None or not (previous / MANIFEST).is_file():
        return TeamPlan(fingerprints)
    recorded = read_inputs(previous)
    reuse = frozenset(name for name, fingerprint in fingerprints.items()
                      if recorded.get(name) == fingerprint and (previous / name).is_file())
    if reuse == frozenset(fingerprints) and previous.name == as_of:
        return None
    if any(name.endswith(".csv") and name not in reuse for name in fingerprints):
        reuse -= {WORKBOOK}  # a new CSV file comes with a new workbook (its row count)
    return TeamPlan(fingerprints, previous, reuse)
