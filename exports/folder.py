"""The files of one export folder: the chosen reports in the chosen formats, then the manifest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from exports import queries
from exports.csv_files import write_csv
from exports.manifest import write_manifest
from exports.queries import ON_DEMAND_REPORTS, REPORTS, ExportScope

__all__ = ["ON_DEMAND_REPORTS", "REPORTS", "ExportRequest", "write_export"]
from exports.tables import Table
from exports.workbook import write_workbook

FORMATS = ("csv", "xlsx", "parquet")
WORKBOOK = "flex_report.xlsx"


@dataclass(frozen=True)
class ExportRequest:
    """What goes into one folder: reports, formats, scope and the teams' slugs."""

    scope: ExportScope
    slugs: dict[str, str]  # team -> team_slug, for every team of the scope
    reports: Sequence[str] = REPORTS
    formats: Sequence[str] = ("csv", "xlsx")


def write_export(con: duckdb.DuckDBPyConnection, folder: Path, request: ExportRequest,
                 as_of: str, progress: Callable[[str], None] = lambda line: None) -> Path:
    """Write every file of `request` into `folder` (which exists), then manifest.json."""
    scope = request.scope
    tables = [queries.table(con, report, scope) for report in request.reports]
    files: list[tuple[str, int]] = []
    if "csv" in request.formats:
        for table in tables:
            files.append((f"{table.name}.csv", write_csv(folder / f"{table.name}.csv", table)))
    if "parquet" in request.formats:
        for table in tables:
            name = f"{table.name}.parquet"
            pq.write_table(arrow_table(table), folder / name)
            files.append((name, len(table.rows)))
    if "xlsx" in request.formats:
        files += _workbooks(con, folder, request, tables)
    progress(f"{', '.join(scope.teams)}: {len(files)} files")
    return write_manifest(folder, manifest_meta(request, as_of), files)


def _workbooks(con: duckdb.DuckDBPyConnection, folder: Path, request: ExportRequest,
               tables: list[Table]) -> list[tuple[str, int]]:
    """One workbook per team: the Summary sheet and its charts are about one team."""
    scope = request.scope
    # Sheets in one order whatever was chosen: the screens and insights, then the reports.
    chosen = {table.name: table for table in tables}
    screens = [chosen.get(screen) or queries.table(con, screen, scope)
               for screen in queries.SCREENS]
    tables = [table for table in tables if table.name not in queries.SCREENS]
    files = []
    for team in scope.teams:
        name = WORKBOOK if len(scope.teams) == 1 else f"flex_report_{request.slugs[team]}.xlsx"
        sheets = [_team_rows(table, team) for table in (*screens, *tables)]
        write_workbook(folder / name, queries.summary(con, team, scope), sheets)
        files.append((name, sum(len(sheet.rows) for sheet in sheets)))
    return files


def _team_rows(table: Table, team: str) -> Table:
    # Every table starts with the Team column.
    return Table(table.name, table.columns, [row for row in table.rows if row[0] == team],
                 table.types)


def manifest_meta(request: ExportRequest, as_of: str) -> dict:
    scope = request.scope
    single = len(scope.teams) == 1
    return {
        "team": scope.teams[0] if single else list(scope.teams),
        "team_slug": request.slugs[scope.teams[0]] if single
        else [request.slugs[team] for team in scope.teams],
        "as_of": as_of,
        "range_start": scope.start.isoformat(),
        "range_end": scope.end.isoformat(),
        "pii_mode": scope.pii_mode,
    }


def arrow_table(table: Table) -> pa.Table:
    """The table with exact types: decimals with their scale, dates as dates, never floats."""
    columns = {}
    for index, column in enumerate(table.columns):
        values = [row[index] for row in table.rows]
        kind = table.types[index] if table.types is not None else None
        columns[column] = pa.array(values, type=_arrow_type(values, kind))
    return pa.table(columns)


def _arrow_type(values: list, duckdb_type: str | None) -> pa.DataType:
    if duckdb_type is not None and duckdb_type.startswith("DECIMAL("):
        precision, scale = duckdb_type[len("DECIMAL("):-1].split(",")
        return pa.decimal128(int(precision), int(scale))
    sample = next((value for value in values if value is not None), "")
    kind = type(sample).__name__
    return {
        "Decimal": pa.decimal128(18, 3), "date": pa.date32(), "bool": pa.bool_(),
        "int": pa.int64(),
    }.get(kind, pa.string())
