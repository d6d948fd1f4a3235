"""One fetch: for each team (or every team at once), ask APS for the days not fetched yet,
wait for the export, download its files and land them under their feeds.

Files are downloaded under `$FLEXWH_DATA_DIR/.aps_partial/<export id>/` and renamed into
`landing/<feed>/aps-<export id>-<nnnn>.csv` only once every file of the export is there:
ingest never sees a partial file, and an export that fails lands nothing. The caller holds
the run lock (one writer of the warehouse and the landing folder at a time).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from aps import audit
from aps.client import ApsClient
from aps.errors import ApsError
from aps.settings import ApsSettings
from core.settings import Settings
from core.warehouse import connect_warehouse

FEED_OF_REPORT = {"SUBSCRIPTIONS": "subscriptions", "USERS": "users", "USAGE": "usage"}
MAX_DAYS = 365  # of usage per export (the API's limit)


@dataclass
class FetchReport:
    exports: int = 0  # exports whose files landed in this fetch
    files: list[str] = field(default_factory=list)  # landed, relative to the landing folder
    bytes: int = 0

    def summary(self) -> str:
        if not self.exports:
            return "APS: nothing to fetch (every day up to as_of is fetched)"
        return (f"APS: {self.exports} exports fetched, {len(self.files)} files, "
                f"{self.bytes / 1e6:.1f} MB landed")


def ranges(first: date, last: date) -> list[tuple[date, date]]:
    """[first, last] in pieces of at most MAX_DAYS days."""
    pieces = []
    while first <= last:
        end = min(last, first + timedelta(days=MAX_DAYS - 1))
        pieces.append((first, end))
        first = end + timedelta(days=1)
    return pieces


def fetch(settings: Settings, aps: ApsSettings, first: date | None = None,
          last: date | None = None, progress: Callable[[str], None] = print,
          client: ApsClient | None = None) -> FetchReport:
    """Fetch [first, last] (default: from the day after the last fetched day, or the 365
    days up to as_of on a first fetch, to as_of) for each configured team."""
    client = client or ApsClient(aps)
    report = FetchReport()
    shutil.rmtree(aps.partial_dir, ignore_errors=True)  # left by a fetch that was killed
    with connect_warehouse(settings) as con:
        audit.ensure_table(con)
    if last is not None and last > settings.as_of:
        raise ApsError(f"--to {last} is after as_of {settings.as_of}: nothing is fetched "
                       "for days to come")
    manual = first is not None
    for team_id in aps.team_ids or ("",):
        for start, end in _days_to_fetch(settings, team_id, first, last):
            _fetch_one(settings, aps, client, team_id, start, end, manual, report, progress)
    shutil.rmtree(aps.partial_dir, ignore_errors=True)
    return report


def _days_to_fetch(settings: Settings, team_id: str, first: date | None, last: date | None
                   ) -> list[tuple[date, date]]:
    end = last or settings.as_of
    with connect_warehouse(settings, read_only=True) as con:
        if first is not None:
            return [r for r in ranges(first, end) if not audit.fetched(con, team_id, *r)]
        done = audit.last_fetched_day(con, team_id)
    start = done + timedelta(days=1) if done else end - timedelta(days=MAX_DAYS - 1)
    return ranges(start, end)


def _fetch_one(settings: Settings, aps: ApsSettings, client: ApsClient, team_id: str,
               start: date, end: date, manual: bool, report: FetchReport,
               progress: Callable[[str], None]) -> None:
    who = f"team {team_id}" if team_id else "every team"
    with connect_warehouse(settings, read_only=True) as con:
        export_id = audit.pending_export(con, team_id, start, end)
    if export_id and not _still_there(client, team_id, export_id):
        export_id = None
    if export_id:
        progress(f"APS: {who}, {start}..{end}: export {export_id} asked earlier, waiting")
    else:
        export_id = str(client.create_export(start, end, team_id or None)["id"])
        with connect_warehouse(settings) as con:
            audit.record_submitted(con, export_id, team_id, start, end, manual)
        progress(f"APS: {who}, {start}..{end}: export {export_id} asked, waiting")
    partial = aps.partial_dir / export_id
    try:
        export = client.wait(export_id)
        downloads = client.use_downloads(export_id, export)  # types and URLs from one list
        partial.mkdir(parents=True, exist_ok=True)
        planned, size = [], 0
        for index, download in enumerate(downloads):
            feed = FEED_OF_REPORT.get(str(download.get("type")))
            if feed is None:
                raise ApsError(f"APS export {export_id}: download {index + 1} has an "
                               f"unknown type {download.get('type')!r}")
            name = f"{feed}/aps-{export_id}-{index + 1:04d}.csv"
            size += client.download(export_id, index, partial / f"{index + 1:04d}")
            planned.append(name)
            progress(f"APS: export {export_id}: {index + 1}/{len(downloads)} files "
                     "downloaded")
        _land(partial, planned, settings.landing_dir)
    except (ApsError, OSError) as error:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(error, OSError):  # a full disk, a feed folder that is a file
            error = ApsError(f"APS export {export_id}: landing the files failed: "
                             f"{error.strerror or type(error).__name__}")
        with connect_warehouse(settings) as con:
            audit.record_outcome(con, export_id, error.outcome or "SUBMITTED", 0, 0, None,
                                 str(error))
        raise error from None
    with connect_warehouse(settings) as con:
        audit.record_outcome(con, export_id, "COMPLETED", len(planned), size,
                             json.dumps(planned), None)
    report.exports += 1
    report.files += planned
    report.bytes += size


def _still_there(client: ApsClient, team_id: str, export_id: str) -> bool:
    """Whether an export asked by an earlier fetch can still be waited for."""
    for export in client.exports(team_id or None):
        if str(export.get("id")) == export_id:
            return export.get("status") in ("SUBMITTED", "COMPLETED")
    return False


def _land(partial: Path, names: list[str], landing: Path) -> None:
    """Every downloaded file into its feed folder, each in one rename. The folders are
    made first: what can fail does so before the first file is in place."""
    for name in names:
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(names, start=1):
        os.replace(partial / f"{index:04d}", landing / name)
    shutil.rmtree(partial, ignore_errors=True)
