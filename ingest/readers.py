"""Row-by-row readers for what the set-based CSV path cannot take: XLSX sheets, and CSV
files whose quoted cells span lines (their spreadsheet row numbers differ from line
numbers). Both yield spreadsheet row numbers and cells as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from ingest.feeds import Feed
from ingest.headers import FileRejected, HeaderMatch, match_header
from ingest.values import WHITESPACE, clean_text

Record = tuple[int, list[str | None]]  # (spreadsheet row number, cells)
_FIELD_SIZE_LIMIT = 2**31 - 1  # csv's default, 128 KiB, would reject a long cell


@dataclass(frozen=True)
class SheetRows:
    header: HeaderMatch
    header_row: int
    records: list[Record]  # data rows after the header, blank rows included
    malformed: dict[int, str] = field(default_factory=dict)  # CSV row number -> problem


def is_blank(cells: list[str | None]) -> bool:
    """Every cell empty or white space only, as the SQL path decides (a mask is a value)."""
    return all(cell is None or not cell.strip(WHITESPACE) for cell in cells)


class _Lines:
    """The lines of a text (ends kept, split only where csv splits) and those the csv
    reader took for its last record, to show a record it could not parse."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


def csv_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str], str | None]]:
    """RFC 4180 records of text lines (a file opened with newline="": ends kept) with
    their spreadsheet row numbers (blank lines count as rows) and what is wrong with a
    record that breaks the format (None when nothing).

    A broken record (a quote left open at the end of the file, text after a closing quote)
    is still one row: its cells as a lenient reader sees them, and the problem.
    """
    csv.field_size_limit(_FIELD_SIZE_LIMIT)  # a cell may be as long as the file allows
    lines = _Lines(lines)
    reader = csv.reader(lines, strict=True)
    number = 0
    while True:
        lines.taken.clear()
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            taken = "".join(lines.taken)
            cells = next(csv.reader(io.StringIO(taken, newline="")), [])
            yield number, cells, _malformed(str(error))
            continue
        yield number, cells, None


def _malformed(error: str) -> str:
    if error == "unexpected end of data":
        return "malformed CSV row: the file ends inside a quoted cell"
    return f"malformed CSV row: {error}"


def read_csv_header(path: Path) -> tuple[list[str], int] | None:
    """The first non-blank record of a CSV file and its row number; None when none."""
    with path.open(encoding="utf-8-sig", newline="") as handle:  # keep line ends in cells
        for number, cells, _ in csv_records(handle):
            if not is_blank(cells):
                return cells, number
    return None


def _csv_file_records(path: Path) -> Iterator[tuple[int, list[str], str | None]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv_records(handle)


def read_csv_rows(path: Path, feed: Feed) -> SheetRows | None:
    records = _csv_file_records(path)
    for number, cells, _ in records:
        if not is_blank(cells):
            header = match_header(feed, cells)
            rows, malformed = [], {}
            for row_number, row_cells, problem in records:
                rows.append((row_number, row_cells))
                if problem:
                    malformed[row_number] = problem
            return SheetRows(header, number, rows, malformed)
    return None


def count_csv_data_rows(path: Path) -> int:
    """Non-blank rows after the header (a CSV file rejected as a whole still counts them)."""
    non_blank = sum(1 for _, cells, _ in _csv_file_records(path) if not is_blank(cells))
    return max(non_blank - 1, 0)


def read_xlsx_rows(path: Path, feed: Feed) -> SheetRows | None:
    """The first sheet whose first non-empty row holds every required column of the feed.

    A file that is not a workbook openpyxl can read (random bytes, a truncated download,
    an old .xls renamed) is rejected whole, naming what failed.
    """
    try:
        return _read_xlsx_rows(path, feed)
    except FileRejected:
        raise
    except Exception as error:  # zipfile, XML and openpyxl errors alike
        detail = (str(error).strip().splitlines() or [""])[0][:200]
        raise FileRejected(f"not a readable XLSX workbook ({type(error).__name__}"
                           + (f": {detail})" if detail else ")")) from error


def _read_xlsx_rows(path: Path, feed: Feed) -> SheetRows | None:
    from openpyxl import load_workbook  # slow import, needed only for XLSX files

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        first_missing = None
        for sheet in workbook.worksheets:
            values = sheet.iter_rows(values_only=True)
            rows = ([_cell_text(value) for value in row] for row in values)
            numbered = enumerate(rows, start=1)
            for number, cells in numbered:
                if is_blank(cells):
                    continue
                while clean_text(cells[-1]) is None:  # a sheet's width is its widest row
                    cells.pop()
                header = match_header(feed, cells)
                missing = header.missing(feed)
                if not missing:
                    return SheetRows(header, number, list(numbered))
                first_missing = first_missing if first_missing is not None else missing
                break
        if first_missing is None:
            return None  # no sheet has any non-empty row: an empty workbook loads 0 rows
        raise FileRejected(_missing_message(feed, first_missing, "first sheet"))
    finally:
        workbook.close()


def _missing_message(feed: Feed, missing: list[str], where: str) -> str:
    return f"missing required columns of feed {feed.name} ({where}): {', '.join(missing)}"


def missing_columns_message(feed: Feed, missing: list[str]) -> str:
    return _missing_message(feed, missing, "header")


def _cell_text(value: object) -> str | None:
    """A typed spreadsheet value as the text the value rules parse."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Shortest decimal form of the double; integral numbers read as their digits.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)
