"""The scheduled exports: every team's folder for the run's as_of, LATEST, retention."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from exports.folder import ExportRequest, write_export
from exports.manifest import MANIFEST, product_version
from exports.publish import FILE_MODE, StagedFolder, prune_exports, stage_folder, write_latest
from exports.queries import HASHED, NAMED, ExportScope, inputs_digest
from exports.slugs import team_slugs

# Per team folder: the as_of and inputs fingerprint of the folder it last published.
PUBLISHED = ".published.json"


@dataclass(frozen=True)
class ScheduledExports:
    """What a run published: one folder per team, and the folders retention removed."""

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
    place, then LATEST and retention; discard() removes them."""

    as_of: date
    export_dir: Path
    staged: list[StagedFolder]
    retention_days: int
    fingerprints: list[str] = field(default_factory=list)  # of each staged folder
    unchanged: list[Path] = field(default_factory=list)  # published already, kept as is

    def commit(self) -> ScheduledExports:
        folders = [staged.commit() for staged in self.staged]
        for folder, fingerprint in zip(folders, self.fingerprints, strict=True):
            _record_published(folder, fingerprint)
        # LATEST and retention once every folder is in place.
        removed = []
        for folder in [*folders, *self.unchanged]:
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

    `con` reads the serving database being published: exports hold what it holds. A team
    whose folder for this as_of was published from the same inputs (a rerun, or a run for
    another team's files) keeps that folder: nothing is written for it.
    """
    as_of = published_as_of(con)
    start = window_start(con, "last_12_months")
    teams = con.execute("select team, pii_enabled from main.dim_team order by team").fetchall()
    slugs = team_slugs(team for team, _ in teams)
    exports = StagedExports(as_of, export_dir, [], retention_days)
    try:
        for index, (team, pii_enabled) in enumerate(teams, start=1):
            scope = ExportScope((team,), start, as_of, NAMED if pii_enabled else HASHED)
            request = ExportRequest(scope=scope, slugs=slugs)
            fingerprint = inputs_fingerprint(con, request, as_of)
            folder = export_dir / slugs[team] / as_of.isoformat()
            if published_from(folder) == fingerprint:
                exports.unchanged.append(folder)
            else:
                exports.staged.append(stage_folder(
                    folder.parent, folder.name,
                    lambda path, request=request: write_export(con, path, request,
                                                               as_of.isoformat()),
                ))
                exports.fingerprints.append(fingerprint)
            if index % max(1, len(teams) // 10) == 0 or index == len(teams):
                progress(f"{index}/{len(teams)} teams' exports written "
                         f"({len(exports.unchanged)} unchanged)")
    except BaseException:
        exports.discard()
        raise
    return exports


def inputs_fingerprint(con: duckdb.DuckDBPyConnection, request: ExportRequest,
                       as_of: date) -> str:
    """SHA-256 of everything a team's folder is made from: the product version (the code
    that writes it), the request, as_of and the rows of every statement it runs."""
    scope = request.scope
    document = {
        "product_version": product_version(), "as_of": as_of.isoformat(),
        "teams": list(scope.teams), "slugs": [request.slugs[t] for t in scope.teams],
        "start": scope.start.isoformat(), "end": scope.end.isoformat(),
        "pii_mode": scope.pii_mode, "reports": list(request.reports),
        "formats": list(request.formats),
        "rows": inputs_digest(con, scope, tuple(request.reports)),
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def published_from(folder: Path) -> str | None:
    """The fingerprint the folder was published from, if it is still there whole."""
    try:
        record = json.loads((folder.parent / PUBLISHED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("as_of") != folder.name or not _intact(folder):
        return None
    return record.get("inputs_sha256")


def _intact(folder: Path) -> bool:
    """The folder still holds every file of its manifest, at the size written."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return all((folder / entry["name"]).stat().st_size == entry["bytes"]
                   for entry in manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _record_published(folder: Path, fingerprint: str) -> None:
    """Write the team's PUBLISHED record (atomically: a torn one would only republish)."""
    record = json.dumps({"as_of": folder.name, "inputs_sha256": fingerprint})
    tmp = folder.parent / f"{PUBLISHED}.tmp"
    tmp.write_text(record + "\n", encoding="utf-8")
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, folder.parent / PUBLISHED)
