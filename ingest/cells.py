"""Load the cells of a batch of files that share one header into the temp table
`_flex_cells(_file, _row_number, c1..cN)`, all text, header and blank rows removed.

CSV files go through DuckDB's reader in one set-based scan. It skips empty lines and
rows with the wrong number of cells (recorded in its rejects table) without a row number,
so the spreadsheet row numbers are restored from the empty lines found by the scan and the
rejected lines: the k-th row read is on line k + (lines dropped before it). Files whose
quoted cells span lines (line numbers are then not row numbers), whose names DuckDB would
read as a glob, and XLSX sheets go through the row-by-row readers instead.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ingest.readers import Record, is_blank
from ingest.scan import FileScan

CELLS = "_flex_cells"
_GLOB_CHARACTERS = set("*?[]{}")


@dataclass(frozen=True)
class Rejection:
    """A row rejected for its shape, before any value is parsed."""

    file: str
    row_number: int
    row_json: str
    reason: str


@dataclass(frozen=True)
class CsvInput:
    file: str  # absolute path: the batch key of the file
    scan: FileScan
    header_row: int

    def needs_row_reader(self) -> bool:
        return self.scan.newline is None or bool(_GLOB_CHARACTERS & set(self.file))


def cell_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(1, width + 1)]


def create_cells_table(con: duckdb.DuckDBPyConnection, width: int) -> None:
    columns = ", ".join(f"{name} varchar" for name in cell_names(width))
    con.execute(
        f"create or replace temp table {CELLS} (_file varchar, _row_number bigint, {columns})"
    )


def load_csv_files(
    con: duckdb.DuckDBPyConnection, files: list[CsvInput], keys: tuple[str, ...]
) -> tuple[list[Rejection], list[str]]:
    """Read CSV files (all with the same line ends) into the cells table; returns shape
    rejections and the files left for the row-by-row reader."""
    width = len(keys)
    names = cell_names(width)
    spec = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + "}"
    con.execute("drop table if exists _flex_rejects; drop table if exists _flex_reject_scans")
    con.execute(
        f"""create or replace temp table _flex_read as
        select filename as _file, {', '.join(names)}
        from read_csv(?, header = false, auto_detect = false, columns = {spec},
                      delim = ',', quote = '"', escape = '"', new_line = ?, filename = true,
                      store_rejects = true, rejects_table = '_flex_rejects',
                      rejects_scan = '_flex_reject_scans', ignore_errors = true)""",
        # read_csv takes the line end spelled with backslashes: '\\n' or '\\r\\n'.
        [[f.file for f in files], files[0].scan.newline.encode("unicode_escape").decode()],
    )
    by_file = {f.file: f for f in files}
    multiline = _files_with_multiline_cells(con, [f.file for f in files if f.scan.has_quote], names)
    rejections, dropped = _shape_rejections(con, by_file, keys, multiline)
    for f in files:
        if f.file not in multiline:
            dropped.extend((f.file, line) for line in f.scan.blank_lines)
    _number_rows(con, by_file, names, dropped, multiline)
    return rejections, sorted(multiline)


def _files_with_multiline_cells(con, quoted_files: list[str], names: list[str]) -> set[str]:
    if not quoted_files:
        return set()
    rows = con.execute(
        f"""select distinct _file from _flex_read
        where _file in (select unnest(?))
          and regexp_matches(concat({', '.join(names)}), '[\\r\\n]')""",
        [quoted_files],
    ).fetchall()
    return {file for (file,) in rows}


def _shape_rejections(con, by_file, keys, skip_files):
    rows = con.execute(
        """select s.file_path, e.line, min(e.error_type::varchar), any_value(e.csv_line)
        from _flex_rejects e join _flex_reject_scans s using (scan_id, file_id)
        group by all order by 1, 2"""
    ).fetchall()
    rejections, dropped = [], []
    for file, line, error_type, text in rows:
        if file in skip_files or line <= by_file[file].header_row:
            continue
        dropped.append((file, line))
        cells = next(csv.reader([text.lstrip("\r\n")]), [])
        if is_blank(cells):
            continue  # a line of white space or empty cells: a blank row, not counted
        reason = _reason(error_type, keys, cells)
        rejections.append(Rejection(file, line, row_json(keys, cells), reason))
    return rejections, dropped


def _reason(error_type: str, keys: tuple[str, ...], cells: list[str]) -> str:
    if error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        return f"expected {len(keys)} cells, found {len(cells)}"
    return f"malformed CSV row ({error_type.lower()})"


def _number_rows(con, by_file, names, dropped, skip_files) -> None:
    con.register("_flex_dropped_in", pa.table({
        "_file": [file for file, _ in dropped], "line": [line for _, line in dropped],
    }, schema=pa.schema([("_file", pa.string()), ("line", pa.int64())])))
    con.register("_flex_headers_in", pa.table({
        "_file": list(by_file), "header_row": [f.header_row for f in by_file.values()],
    }, schema=pa.schema([("_file", pa.string()), ("header_row", pa.int64())])))
    columns = ", ".join(f"e.{name}" for name in names)
    con.execute(
        f"""insert into {CELLS}
        with dropped as (
            select _file, line, row_number() over (partition by _file order by line) as rank
            from (select distinct _file, line from _flex_dropped_in)
        ),
        shifts as (  -- from the k-th row read on, `dropped_before` lines were dropped
            select _file, line - rank + 1 as from_k, max(rank) as dropped_before
            from dropped group by all
        ),
        read_rows as (
            select *, row_number() over (partition by _file order by rowid) as k
            from _flex_read where _file not in (select unnest(?))
        ),
        numbered as (
            select e._file, e.k + coalesce(s.dropped_before, 0) as _row_number, {columns}
            from read_rows as e asof left join shifts as s on e._file = s._file and e.k >= s.from_k
        )
        select n.* from numbered as n join _flex_headers_in as h using (_file)
        where n._row_number > h.header_row""",
        [sorted(skip_files)],
    )
    con.execute("drop table _flex_read")
    con.unregister("_flex_dropped_in")
    con.unregister("_flex_headers_in")


def load_records(
    con: duckdb.DuckDBPyConnection,
    file: str,
    records: list[Record],
    keys: tuple[str, ...],
    exact_width: bool,
) -> list[Rejection]:
    """Append rows read in Python. CSV rows (`exact_width`) must have one cell per header
    cell; spreadsheet rows are cut or padded to the header."""
    width = len(keys)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers, rejections = [], []
    for number, cells in records:
        if is_blank(cells):
            continue
        if exact_width and len(cells) != width:
            reason = f"expected {width} cells, found {len(cells)}"
            rejections.append(Rejection(file, number, row_json(keys, cells), reason))
            continue
        # DuckDB's reader gives NULL for an empty cell: do the same here.
        cells = [cell if cell != "" else None for cell in (cells + [None] * width)[:width]]
        numbers.append(number)
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
    names = cell_names(width)
    table = pa.table(
        {"_file": [file] * len(numbers), "_row_number": numbers}
        | {name: pa.array(cells, pa.string()) for name, cells in zip(names, columns, strict=True)},
        schema=pa.schema([("_file", pa.string()), ("_row_number", pa.int64())]
                         + [(name, pa.string()) for name in names]),
    )
    con.register("_flex_records_in", table)
    con.execute(f"insert into {CELLS} select * from _flex_records_in")
    con.unregister("_flex_records_in")
    return rejections


def row_json(keys: tuple[str, ...], cells: list[str | None]) -> str:
    """A row as JSON keyed by HeaderMatch.row_keys (cells beyond the header as column_N)."""
    names = list(keys) + [f"column_{i}" for i in range(len(keys) + 1, len(cells) + 1)]
    values = [cell if cell != "" else None for cell in cells]
    pairs = dict(zip(names, values, strict=False))
    return json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
