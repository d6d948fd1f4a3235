"""Expose the cells of a batch of files that share one header as the temp view
`_flex_cells(_file, _row_number, c1..cN)`: all text, header and blank lines removed.

CSV files go through DuckDB's reader in one set-based scan. It skips empty lines and
rows with the wrong number of cells (recorded in its rejects table) without a row number,
so the spreadsheet row numbers are restored from the empty lines found by the scan and the
rejected lines: the k-th row read is on line k + (lines dropped before it). Files whose
quoted cells span lines (line numbers are then not row numbers), with lines DuckDB cannot
account for, whose names DuckDB would read as a glob, and XLSX sheets go through the
row-by-row readers into `_flex_rows`.
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
_READ = "_flex_read"  # rows as DuckDB's CSV reader gives them, in file order
_ROWS = "_flex_rows"  # rows read in Python, numbered already
_GLOB_CHARACTERS = set("*?[]{}")
_WIDTH_ERRORS = ("MISSING COLUMNS", "TOO MANY COLUMNS")


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


def start_batch(con: duckdb.DuckDBPyConnection, width: int) -> None:
    """Empty tables for a new batch of `width` cells per row."""
    columns = ", ".join(f"{name} varchar" for name in cell_names(width))
    con.execute(f"create or replace temp table {_ROWS} "
                f"(_file varchar, _row_number bigint, {columns})")
    con.execute(f"create or replace temp table {_READ} (_file varchar, {columns})")
    con.execute("create or replace temp table _flex_shifts "
                "(_file varchar, from_k bigint, dropped_before bigint)")
    con.execute("create or replace temp table _flex_headers (_file varchar, header_row bigint)")


def load_csv_files(
    con: duckdb.DuckDBPyConnection, files: list[CsvInput], keys: tuple[str, ...]
) -> tuple[list[Rejection], list[str]]:
    """Read CSV files (all with the same line ends) in one scan; returns shape rejections
    and the files left for the row-by-row reader.

    DuckDB decides only what it can number exactly: rows of the header's width and rows
    of another width. A file with any other kind of error (a quote left open, a line over
    DuckDB's size limit, ...), with quoted cells that span lines, or whose rows, rejected
    lines and blank lines do not add up to its lines goes to the row-by-row reader whole:
    no row can be lost or mis-numbered between the two readers.
    """
    names = cell_names(len(keys))
    spec = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + "}"
    con.execute("drop table if exists _flex_rejects; drop table if exists _flex_reject_scans")
    con.execute(
        f"""insert into {_READ}
        select filename, {', '.join(names)}
        from read_csv(?, header = false, auto_detect = false, columns = {spec},
                      delim = ',', quote = '"', escape = '"', new_line = ?, filename = true,
                      store_rejects = true, rejects_table = '_flex_rejects',
                      rejects_scan = '_flex_reject_scans', ignore_errors = true)""",
        # read_csv takes the line end spelled with backslashes: '\\n' or '\\r\\n'.
        [[f.file for f in files], files[0].scan.newline.encode("unicode_escape").decode()],
    )
    by_file = {f.file: f for f in files}
    rejected_lines = con.execute(
        """select s.file_path, e.line, min(e.error_type::varchar), any_value(e.csv_line)
        from _flex_rejects e join _flex_reject_scans s using (scan_id, file_id)
        group by all order by 1, 2"""
    ).fetchall()
    to_row_reader = _files_with_multiline_cells(
        con, [f.file for f in files if f.scan.has_quote], names)
    to_row_reader |= {file for file, _, error_type, _ in rejected_lines
                      if error_type not in _WIDTH_ERRORS}
    to_row_reader |= _files_not_adding_up(con, by_file, rejected_lines)
    if to_row_reader:
        con.execute(f"delete from {_READ} where _file in (select unnest(?))",
                    [sorted(to_row_reader)])
    rejections, dropped = _shape_rejections(
        by_file, keys, [r for r in rejected_lines if r[0] not in to_row_reader])
    kept = [f for f in files if f.file not in to_row_reader]
    for f in kept:
        dropped.extend((f.file, line) for line in f.scan.blank_lines)
    _record_shifts(con, dropped)
    con.execute("insert into _flex_headers select unnest(?), unnest(?)",
                [[f.file for f in kept], [f.header_row for f in kept]])
    return rejections, sorted(to_row_reader)


def _files_with_multiline_cells(con, quoted_files: list[str], names: list[str]) -> set[str]:
    if not quoted_files:
        return set()
    rows = con.execute(
        f"""select distinct _file from {_READ}
        where _file in (select unnest(?))
          and (contains(concat({', '.join(names)}), chr(10))
               or contains(concat({', '.join(names)}), chr(13)))""",
        [quoted_files],
    ).fetchall()
    return {file for (file,) in rows}


def _files_not_adding_up(con, by_file: dict[str, CsvInput], rejected_lines) -> set[str]:
    """Files whose rows read + distinct rejected lines + blank lines differ from their
    line count: DuckDB lost or merged a line somewhere (a quote left open at the end of
    one file of a batch, for one)."""
    read = dict(con.execute(f"select _file, count(*) from {_READ} group by _file").fetchall())
    rejected: dict[str, set[int]] = {}
    for file, line, _, _ in rejected_lines:
        rejected.setdefault(file, set()).add(line)
    return {file for file, f in by_file.items()
            if read.get(file, 0) + len(rejected.get(file, ())) + len(f.scan.blank_lines)
            != f.scan.lines}


def _shape_rejections(by_file, keys, rejected_lines):
    rejections, dropped = [], []
    for file, line, _, text in rejected_lines:
        dropped.append((file, line))  # every line not read counts for the numbering
        if line <= by_file[file].header_row:
            continue
        cells = next(csv.reader([text.lstrip("\r\n")]), [])
        if is_blank(cells):
            continue  # a line of white space or empty cells: a blank row, not counted
        rejections.append(Rejection(file, line, row_json(keys, cells),
                                    width_reason(len(keys), len(cells))))
    return rejections, dropped


def _record_shifts(con, dropped: list[tuple[str, int]]) -> None:
    """From the k-th row read of a file on, `dropped_before` of its lines were dropped."""
    if not dropped:
        return
    con.execute(
        """insert into _flex_shifts
        with given as (
            select unnest(?) as _file, unnest(?)::bigint as line
        ),
        dropped as (
            select _file, line, row_number() over (partition by _file order by line) as rank
            from (select distinct _file, line from given)
        )
        select _file, line - rank + 1, max(rank) from dropped group by all""",
        [[file for file, _ in dropped], [line for _, line in dropped]],
    )


def finish_batch(con: duckdb.DuckDBPyConnection, width: int, files_table: str) -> None:
    """Create the CELLS view `(_file_seq, _row_number, c1..cN)` over the rows read by
    DuckDB (numbered here) and in Python; `files_table` maps `_file` to `file_seq`.

    Rows of a file are contiguous and in file order in the read table (DuckDB preserves
    insertion order), so the k-th row of a file is rowid - (its first rowid) + 1: an
    aggregate instead of a window sort over every row. Files with dropped lines (few)
    take the as-of join that adds them back.
    """
    names = ", ".join(cell_names(width))
    prefixed = ", ".join(f"r.{name}" for name in cell_names(width))
    con.execute(
        f"""create or replace temp table _flex_starts as
        select s._file, f.file_seq, s.first_rowid, h.header_row,
               s._file in (select _file from _flex_shifts) as shifted
        from (select _file, min(rowid) as first_rowid from {_READ} group by _file) as s
        join {files_table} as f using (_file) join _flex_headers as h using (_file)"""
    )
    # fetchall: DuckDB 2.0 keeps a result open after fetchone, blocking the next call
    [(any_shifted,)] = con.execute("select count(*) > 0 from _flex_shifts").fetchall()
    shifted = f"""
        union all
        select file_seq, _row_number, {names} from (
            select s.file_seq, s.header_row,
                   r.rowid - s.first_rowid + 1 + coalesce(d.dropped_before, 0) as _row_number,
                   {prefixed}
            from {_READ} as r join _flex_starts as s on r._file = s._file and s.shifted
            asof left join _flex_shifts as d
                on r._file = d._file and r.rowid - s.first_rowid + 1 >= d.from_k
        ) where _row_number > header_row""" if any_shifted else ""
    con.execute(
        f"""create or replace temp view {CELLS} as
        select s.file_seq as _file_seq, r.rowid - s.first_rowid + 1 as _row_number, {prefixed}
        from {_READ} as r join _flex_starts as s on r._file = s._file and not s.shifted
        where r.rowid - s.first_rowid + 1 > s.header_row
        {shifted}
        union all
        select f.file_seq, r._row_number, {prefixed}
        from {_ROWS} as r join {files_table} as f using (_file)"""
    )


def end_batch(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop view if exists {CELLS}")
    for table in (_READ, _ROWS, "_flex_shifts", "_flex_headers", "_flex_starts"):
        con.execute(f"drop table if exists {table}")


def load_records(
    con: duckdb.DuckDBPyConnection,
    file: str,
    records: list[Record],
    keys: tuple[str, ...],
    exact_width: bool,
    malformed: dict[int, str] | None = None,
) -> list[Rejection]:
    """Add rows read in Python. CSV rows (`exact_width`) must have one cell per header
    cell; spreadsheet rows are cut or padded to the header. `malformed`: row numbers of
    CSV records that break RFC 4180, with the problem (rejected, as a wrong width is)."""
    malformed = malformed or {}
    width = len(keys)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers, rejections = [], []
    for number, cells in records:
        if is_blank(cells):
            continue
        problem = malformed.get(number)
        if problem or (exact_width and len(cells) != width):
            reason = width_reason(width, len(cells)) if len(cells) != width else problem
            rejections.append(Rejection(file, number, row_json(keys, cells), reason))
            continue
        numbers.append(number)
        # DuckDB's reader gives NULL for an empty cell: do the same here.
        cells = [cell if cell != "" else None for cell in (cells + [None] * width)[:width]]
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
    con.execute(f"insert into {_ROWS} select * from _flex_records_in")
    con.unregister("_flex_records_in")
    return rejections


def width_reason(width: int, found: int) -> str:
    return f"expected {width} cells, found {found}"


def row_json(keys: tuple[str, ...], cells: list[str | None]) -> str:
    """A row as JSON keyed by HeaderMatch.row_keys (cells beyond the header as column_N)."""
    names = list(keys) + [f"column_{i}" for i in range(len(keys) + 1, len(cells) + 1)]
    values = [cell if cell != "" else None for cell in cells]
    pairs = dict(zip(names, values, strict=False))
    return json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
