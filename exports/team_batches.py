"""Every team's scheduled export written in a few statements instead of a few per team.

The CSV files come from DuckDB's COPY, one partitioned COPY per report and personal-data
mode for all teams; the workbook sheets' rows are rendered as XML by DuckDB
(exports/sql_cells.py) and streamed team by team. The files are the same, byte for byte,
as exports/folder.py writes for one team (tests/exports/test_team_batches.py).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from xlsxwriter.utility import xl_col_to_name

from exports import queries, sql_cells
from exports.alerts_file import ALERTS_FILE, write_alerts_file
from exports.cell_styles import PLACEHOLDERS, column_width, type_format
from exports.cells import csv_text
from exports.csv_files import write_csv
from exports.fingerprints import INPUTS
from exports.folder import WORKBOOK, ExportRequest, manifest_meta
from exports.manifest import MANIFEST, write_manifest
from exports.publish import TMP_PREFIX, abandoned, temp_tag
from exports.queries import REPORTS, SCHEDULED_CSV, SCREENS, ExportScope, Statement
from exports.tables import Table
from exports.workbook import MAX_DATA_ROWS, SheetFrame, write_rendered_workbook

BOM = "\ufeff"
PARTITION = "team_slug"
BATCH_ROWS = 50_000
SCRATCH = "teams"  # the COPY output of a run: <export_dir>/.tmp-teams-<tag>


def _columns(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[str]:
    """The DuckDB type of each column of a query (without running it)."""
    return [str(column[1]) for column in con.execute(
        f"select * from ({sql}) limit 0", params).description]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_select(con: duckdb.DuckDBPyConnection, statement: Statement, params: dict,
                slugs: dict[str, str]) -> tuple[str, dict]:
    """The statement's rows as CSV fields under their header names, and the team's slug."""
    sql = statement.sql()
    types = _columns(con, sql, params)
    fields = [f"{sql_cells.csv_field(f'r.c{i}', kind)} as {_quoted(_header_name(i, name))}"
              for i, (name, kind) in enumerate(zip(statement.columns, types, strict=True))]
    renamed = ", ".join(f"c{i}" for i in range(len(types)))
    slug_of = f"list_extract($slugs, list_position($teams, r.c0)) as {PARTITION}"
    return (f"select {', '.join(fields)}, {slug_of} "
            f"from ({sql}) as r({renamed})"), {**params, "slugs": [slugs[t] for t in
                                                                  params["teams"]]}


def _header_name(index: int, name: str) -> str:
    # The header row is the column names; the first carries the UTF-8 BOM (exports.md).
    return (BOM if index == 0 else "") + csv_text(name)


def copy_csv_file(con: duckdb.DuckDBPyConnection, report: str, scope: ExportScope,
                  slugs: dict[str, str], folder: Path) -> dict[str, Path]:
    """The report's CSV file of every team of the scope that has rows, by team, under
    folder."""
    if not scope.teams:
        return {}
    statement = queries.STATEMENTS[report](scope.pii_mode)
    select, params = _csv_select(con, statement, queries.params(statement, scope), slugs)
    target = folder / f"{report}-{scope.pii_mode}"
    # One thread: a partitioned COPY on more threads may interleave a team's rows. No
    # comment character: DuckDB would quote every field holding a '#'.
    threads = con.execute("select current_setting('threads')").fetchall()[0][0]
    con.execute("set threads = 1")
    try:
        con.execute(f"copy ({select}) to '{_sql_path(target)}' (format csv, "
                    f"partition_by ({PARTITION}), header true, new_line '\\r\\n', "
                    f"filename_pattern '{report}', file_extension 'csv', comment '')", params)
    finally:
        con.execute(f"set threads = {int(threads)}")
    files = {}
    for team in scope.teams:
        written = list((target / f"{PARTITION}={slugs[team]}").glob("*.csv"))
        if len(written) > 1:
            raise RuntimeError(f"COPY wrote {len(written)} files for {team!r}")
        if written:
            files[team] = written[0]
    return files


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


class TeamRows:
    """The rows of a query ordered by team, handed out team by team in that order."""

    def __init__(self, reader: pa.RecordBatchReader) -> None:
        self._reader = reader
        self._teams: list[str] = []
        self._rows: list[str] = []
        self._at = 0

    def take(self, team: str) -> list[str]:
        """The rows of `team`; [] when the next rows are another team's."""
        taken: list[str] = []
        while True:
            if self._at == len(self._teams) and not self._next_batch():
                return taken
            end = self._at
            while end < len(self._teams) and self._teams[end] == team:
                end += 1
            taken += self._rows[self._at : end]
            self._at = end
            if end < len(self._teams):
                return taken

    def exhausted(self) -> bool:
        return self._at == len(self._teams) and not self._next_batch()

    def _next_batch(self) -> bool:
        try:
            batch = self._reader.read_next_batch()
        except StopIteration:
            return False
        self._teams = batch.column(0).to_pylist()
        self._rows = batch.column(1).to_pylist()
        self._at = 0
        return True


def _sheet_stream(con: duckdb.DuckDBPyConnection, statement: Statement,
                  scope: ExportScope) -> TeamRows:
    """The statement's rows as worksheet <row> XML (rows 2, 3, … of each sheet part)."""
    params = queries.params(statement, scope)
    sql = statement.sql(sheet_row=True)
    types = _columns(con, sql, params)[:-1]
    row = f"((r.sheet_row - 1) % {MAX_DATA_ROWS} + 2)"
    styles = [PLACEHOLDERS.get(type_format(kind)) for kind in types]
    cells = ", ".join(
        sql_cells.xlsx_cell(f"r.c{i}", kind, _letter(i), row, style)
        for i, (kind, style) in enumerate(zip(types, styles, strict=True)))
    renamed = ", ".join([*(f"c{i}" for i in range(len(types))), "sheet_row"])
    cursor = con.cursor()
    sql_cells.register(cursor)
    reader = cursor.sql(
        f"select r.c0, '<row r=\"' || {row} || '\">' || concat({cells}) || '</row>' "
        f"from ({sql}) as r({renamed})", params=params).to_arrow_reader(BATCH_ROWS)
    return TeamRows(reader)


def _sheet_frames(con: duckdb.DuckDBPyConnection, statement: Statement,
                  scope: ExportScope) -> dict[str, SheetFrame]:
    """Each team's frame of the statement's sheet: formats from the column types, widths
    from its longest values (one grouped query for every team)."""
    params = queries.params(statement, scope)
    sql = statement.sql(ordered=False)
    types = _columns(con, sql, params)
    formats = [type_format(kind) for kind in types]
    lengths = ", ".join(f"max({sql_cells.value_length(f'r.c{i}', kind)})"
                        for i, kind in enumerate(types))
    renamed = ", ".join(f"c{i}" for i in range(len(types)))
    longest = {team: values for team, *values in con.execute(
        f"select r.c0, {lengths} from ({sql}) as r({renamed}) group by r.c0",
        params).fetchall()}
    frames = {}
    for team in scope.teams:
        values = longest.get(team, [0] * len(types))
        widths = [column_width(name, value, fmt) for name, value, fmt in
                  zip(statement.columns, values, formats, strict=True)]
        frames[team] = SheetFrame("", statement.columns, formats, widths, 0)
    return frames


def _letter(index: int) -> str:
    return xl_col_to_name(index)


def _parts(rows: list[str]) -> list[list[str]]:
    """Rows over Excel's sheet limit go on to "Usage (2)", … (numbered in SQL)."""
    return [rows[start : start + MAX_DATA_ROWS]
            for start in range(0, len(rows), MAX_DATA_ROWS)] or [[]]


@dataclass(frozen=True)
class TeamPlan:
    """One team's folder: each file's fingerprint, and the files that are taken over from
    the folder it published last (their fingerprint did not change). A CSV file written
    anew comes with a new workbook (whose sheet counts its rows)."""

    fingerprints: dict[str, str]
    previous: Path | None = None
    reuse: frozenset[str] = frozenset()


@dataclass
class TeamBatch:
    """The export files of the scope's teams, written team by team into their folders."""

    con: duckdb.DuckDBPyConnection
    scope: ExportScope  # several teams, one personal-data mode
    slugs: dict[str, str]
    as_of: str
    scratch: Path
    plans: dict[str, TeamPlan]

    def __post_init__(self) -> None:
        def needing(name: str) -> ExportScope:
            teams = tuple(team for team in self.scope.teams
                          if name not in self.plans[team].reuse)
            return ExportScope(teams, self.scope.start, self.scope.end, self.scope.pii_mode)

        self.csv_files = {report: copy_csv_file(self.con, report, needing(f"{report}.csv"),
                                                self.slugs, self.scratch)
                          for report in SCHEDULED_CSV}
        self.statements = [queries.STATEMENTS[name](self.scope.pii_mode)
                           for name in (*SCREENS, *REPORTS)]
        books = needing(WORKBOOK)
        self.book_teams = set(books.teams)
        self.streams = [_sheet_stream(self.con, statement, books)
                        for statement in self.statements] if books.teams else []
        self.frames = [_sheet_frames(self.con, statement, books)
                       for statement in self.statements] if books.teams else []

    def write(self, team: str, folder: Path) -> None:
        """Every file of one team's folder; teams must come in the scope's order."""
        plan = self.plans[team]
        scope = ExportScope((team,), self.scope.start, self.scope.end, self.scope.pii_mode)
        previous_rows = _manifest_rows(plan.previous) if plan.reuse else {}
        rows = {statement.name: stream.take(team)
                for statement, stream in zip(self.statements, self.streams, strict=True)
                } if team in self.book_teams else {}
        files: list[tuple[str, int]] = []
        for report in SCHEDULED_CSV:
            name = f"{report}.csv"
            if name in plan.reuse:
                _link(plan.previous / name, folder / name)
                files.append((name, previous_rows[name]))
                continue
            written = self.csv_files[report].pop(team, None)
            if written is None:  # no rows: COPY wrote no file for the team
                columns = queries.STATEMENTS[report](scope.pii_mode).columns
                write_csv(folder / name, Table(report, columns, []))
            else:
                os.rename(written, folder / name)
            files.append((name, len(rows[report])))
        if ALERTS_FILE in plan.reuse:
            _link(plan.previous / ALERTS_FILE, folder / ALERTS_FILE)
            files.append((ALERTS_FILE, previous_rows[ALERTS_FILE]))
        else:
            files.append((ALERTS_FILE, write_alerts_file(self.con, team, folder)))
        if WORKBOOK in plan.reuse:
            _link(plan.previous / WORKBOOK, folder / WORKBOOK)
            files.append((WORKBOOK, previous_rows[WORKBOOK]))
        else:
            sheets = [(statement.name, frames[team], _parts(rows[statement.name]))
                      for statement, frames in zip(self.statements, self.frames, strict=True)]
            count = write_rendered_workbook(folder / WORKBOOK,
                                            queries.summary(self.con, team, scope), sheets)
            files.append((WORKBOOK, count))
        request = ExportRequest(scope=scope, slugs=self.slugs)
        meta = {**manifest_meta(request, self.as_of), INPUTS: plan.fingerprints}
        write_manifest(folder, meta, files)

    def check_done(self) -> None:
        """Every row streamed went to a team (the walk followed the query's team order)."""
        left = any(files for files in self.csv_files.values())
        if left or not all(stream.exhausted() for stream in self.streams):
            raise RuntimeError("team exports: rows left over after the last team")


def _manifest_rows(folder: Path | None) -> dict[str, int]:
    """Rows of each file as the folder's manifest.json records them."""
    document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return {entry["name"]: int(entry["rows"]) for entry in document["files"]}


def _link(source: Path, target: Path) -> None:
    """The same file under a second name (a copy where hard links are not possible)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def team_batches(con: duckdb.DuckDBPyConnection, scopes: list[ExportScope],
                 slugs: dict[str, str], as_of: str, parent: Path,
                 plans: dict[str, TeamPlan]) -> Iterator[tuple[TeamBatch, str]]:
    """(batch, team) for every team of the scopes, in order; the scratch folder under
    `parent` (same file system as the export folders: renames) is removed at the end."""
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in parent.glob(f"{TMP_PREFIX}{SCRATCH}-*"):
        if abandoned(leftover):  # of a killed run
            shutil.rmtree(leftover, ignore_errors=True)
    scratch = parent / f"{TMP_PREFIX}{SCRATCH}-{temp_tag()}"
    scratch.mkdir(mode=0o700)
    try:
        for scope in scopes:
            if not scope.teams:
                continue
            batch = TeamBatch(con, scope, slugs, as_of, scratch, plans)
            for team in scope.teams:
                yield batch, team
            batch.check_done()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

