"""Row-by-row readers for what the set-based CSV path cannot take: XLSX sheets, and CSV
files whose quoted cells span lines (their spreadsheet row numbers differ from line
numbers). Both yield spreadsheet row numbers and cells as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from ingest.feeds import Feed
from ingest.headers import FileRejected, HeaderMatch, match_header
from ingest.values import clean_text

Record = tuple[int, list[str | None]]  # (spreadsheet row number, cells)


@dataclass(frozen=True)
class SheetRows:
    header: HeaderMatch
    header_row: int
    records: list[Record]  # data rows after the header, blank rows included


def is_blank(cells: list[str | None]) -> bool:
    return all(clean_text(cell) is None and cell != "*****" for cell in cells)


def csv_records(text: str) -> Iterator[Record]:
    """RFC 4180 records with their spreadsheet row numbers (blank lines count as rows)."""
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        yield number, list(cells)


def read_csv_header(path: Path) -> tuple[list[str], int] | None:
    """The first non-blank record of a CSV file and its row number; None when none."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, cells in enumerate(csv.reader(handle), start=1):
            if not is_blank(cells):
                return cells, number
    return None


def _csv_file_records(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8-sig", newline="") as handle:  # keep line ends in cells
        return csv_records(handle.read())


def read_csv_rows(path: Path, feed: Feed) -> SheetRows | None:
    records = _csv_file_records(path)
    for number, cells in records:
        if not is_blank(cells):
            return SheetRows(match_header(feed, cells), number, list(records))
    return None


def count_csv_data_rows(path: Path) -> int:
    """Non-blank rows after the header (a CSV file rejected as a whole still counts them)."""
    non_blank = sum(1 for _, cells in _csv_file_records(path) if not is_blank(cells))
    return max(non_blank - 1, 0)


def read_xlsx_rows(path: Path, feed: Feed) -> SheetRows | None:
    """The first sheet whose first non-empty row holds every required column of the feed."""
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
