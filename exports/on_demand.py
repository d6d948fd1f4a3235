"""`flexwh export`: chosen teams, reports, range, format and personal-data mode (exports.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from exports.folder import REPORTS, ExportRequest, write_export
from exports.publish import publish_folder
from exports.queries import HASHED, NAMED, ExportScope
from exports.scheduled import published_as_of, window_start
from exports.slugs import team_slugs


class ExportError(ValueError):
    """An export that cannot be made as asked; the message names the team or option."""


@dataclass(frozen=True)
class OnDemandExport:
    teams: Sequence[str] = ()         # empty: all teams
    reports: Sequence[str] = REPORTS
    start: date | None = None
    end: date | None = None
    all_dates: bool = False
    fmt: str = "csv"
    pii: str | None = None            # NAMED | HASHED | None: what the teams allow
    out: Path | None = None


def pii_mode(asked: str | None, pii_enabled: dict[str, bool]) -> str:
    """Hashed for all when any team has personal data off (Autodesk's "All teams" rule)."""
    hidden = sorted(team for team, enabled in pii_enabled.items() if not enabled)
    if asked == NAMED and hidden:
        raise ExportError(f"team {hidden[0]!r} has personal data off: named output is "
                          "refused (use --pii hashed)")
    return asked or (HASHED if hidden else NAMED)


def export_range(con: duckdb.DuckDBPyConnection, request: OnDemandExport, teams: list[str],
                 as_of: date) -> tuple[date, date]:
    if request.all_dates:
        first = con.execute("select min(first_usage_day) from main.dim_team "
                            "where team in (select unnest(?))", [teams]).fetchall()[0][0]
        return (first or as_of), as_of
    start = request.start or window_start(con, "last_12_months")
    end = request.end or as_of
    if start > end:
        raise ExportError(f"--from {start} is after --to {end}")
    return start, end


def run_export(con: duckdb.DuckDBPyConnection, request: OnDemandExport,
               export_dir: Path) -> Path:
    """Write the export folder and return it; ExportError for a request that cannot be met."""
    known = dict(con.execute("select team, pii_enabled from main.dim_team").fetchall())
    unknown = [team for team in request.teams if team not in known]
    if unknown:
        raise ExportError(f"team {unknown[0]!r} is not in the warehouse")
    teams = sorted(request.teams or known)
    as_of = published_as_of(con)
    start, end = export_range(con, request, teams, as_of)
    mode = pii_mode(request.pii, {team: known[team] for team in teams})
    slugs = team_slugs(known)
    scope = ExportScope(tuple(teams), start, end, mode)
    export = ExportRequest(scope=scope, slugs=slugs, reports=tuple(request.reports),
                           formats=(request.fmt,))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # --out names the parent folder: the export never replaces a folder the user chose.
    if len(teams) > 1:
        parent, name = request.out or export_dir / "_multi", stamp
    else:
        parent, name = request.out or export_dir / "_on_demand", f"{slugs[teams[0]]}-{stamp}"
    return publish_folder(parent, _unused_name(parent, name),
                          lambda folder: write_export(con, folder, export, as_of.isoformat()))


def _unused_name(parent: Path, name: str) -> str:
    """Two exports in the same second each get their own folder: name, name-2, name-3 …"""
    candidate, number = name, 1
    while (parent / candidate).exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate
