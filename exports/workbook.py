"""flex_report.xlsx: the Summary sheet (exports/summary_sheet.py), then one sheet per report.

XlsxWriter writes the workbook's frame (Summary and charts, every report sheet's header,
column formats and widths, autofilter, frozen header and print set-up); the report rows
are then written into the saved file as XML (exports/sheet_rows.py), in the style ids
XlsxWriter gave the column formats.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from exports.cell_styles import (
    FORMATS,
    PLACEHOLDERS,
    column_width,
    type_format,
    value_format,
    value_length,
)
from exports.cells import xlsx_text
from exports.sheet_rows import ROWS_PER_CHUNK, fill_sheets, row_chunks
from exports.summary_sheet import SummaryData, write_summary
from exports.tables import Table

__all__ = ["SummaryData", "write_workbook", "write_rendered_workbook", "SheetFrame"]

SHEET_NAMES = {
    "by_product": "By product",
    "by_user": "By user",
    "chargeback": "Chargeback",
    "flex_fit": "Flex fit",
    "subscriptions": "Subscriptions",
    "users": "Users",
    "usage": "Usage",
}
# Rows of a sheet below its header: Excel's 1,048,576 rows minus the header row.
MAX_DATA_ROWS = 1_048_575
_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False}


@dataclass(frozen=True)
class SheetFrame:
    """A report sheet before its rows: title, header, each column's number format (None:
    text) and width, and how many rows follow the header."""

    title: str
    columns: list[str]
    formats: list[str | None]
    widths: list[float]
    rows: int


def write_workbook(path: Path, summary: SummaryData, sheets: list[Table]) -> None:
    """Write the workbook: Summary first, then the tables in the order given."""
    _check_names(sheet.name for sheet in sheets)
    frames, parts = [], []
    for table in sheets:
        formats = _value_formats(table)
        widths = [column_width(name, longest, fmt) for name, longest, fmt in
                  zip(table.columns, _longest(table), formats, strict=True)]
        for title, rows in _sheet_parts(SHEET_NAMES[table.name], table.rows):
            frames.append(SheetFrame(title, table.columns, formats, widths, len(rows)))
            parts.append(rows)
    styles = save_frame(path, summary, frames)
    chunks = {index: row_chunks(rows, [styles.get(fmt) for fmt in frame.formats])
              for index, (frame, rows) in enumerate(zip(frames, parts, strict=True), start=2)}
    fill_sheets(path, chunks, _dimensions(frames))


def write_rendered_workbook(path: Path, summary: SummaryData,
                            sheets: list[tuple[str, SheetFrame, list[list[str]]]]) -> int:
    """Write the workbook from rows already rendered as XML (exports/team_batches.py): each
    sheet is (table name, frame, parts), a part the <row> elements of one worksheet, with
    cell_styles.PLACEHOLDERS where the style ids go. Returns the number of rows."""
    _check_names(name for name, _, _ in sheets)
    frames, all_parts = [], []
    for name, frame, parts in sheets:
        for number, rows in enumerate(parts, start=1):
            title = SHEET_NAMES[name] if number == 1 else f"{SHEET_NAMES[name]} ({number})"
            frames.append(SheetFrame(title, frame.columns, frame.formats, frame.widths,
                                     len(rows)))
            all_parts.append(rows)
    styles = save_frame(path, summary, frames)
    swaps = [(PLACEHOLDERS[fmt].encode("ascii"), styles[fmt].encode("ascii"))
             for fmt in styles]
    fill_sheets(path, {index: _encoded(rows, swaps)
                       for index, rows in enumerate(all_parts, start=2)}, _dimensions(frames))
    return sum(len(rows) for rows in all_parts)


def _encoded(rows: list[str], swaps: list[tuple[bytes, bytes]]) -> Iterator[bytes]:
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        chunk = "".join(rows[start : start + ROWS_PER_CHUNK]).encode("utf-8")
        for placeholder, style in swaps:
            chunk = chunk.replace(placeholder, style)
        yield chunk


def _check_names(names) -> None:
    for name in names:
        if name not in SHEET_NAMES:
            raise ValueError(f"no sheet name for table {name!r}")


def _value_formats(table: Table) -> list[str | None]:
    """Each column's format, from its type, or else its first value that is not NULL."""
    if table.types is not None:
        return [type_format(kind) for kind in table.types]
    formats: list[str | None] = []
    for index in range(len(table.columns)):
        first = next((row[index] for row in table.rows if row[index] is not None), None)
        formats.append(value_format(first))
    return formats


def _longest(table: Table) -> list[int]:
    return [max((value_length(row[index]) for row in table.rows), default=0)
            for index in range(len(table.columns))]


def _dimensions(frames: list[SheetFrame]) -> dict[int, str]:
    return {index: f"A1:{xl_col_to_name(max(len(frame.columns), 1) - 1)}{frame.rows + 1}"
            for index, frame in enumerate(frames, start=2)}


def _sheet_parts(title: str, rows: list[tuple]) -> Iterator[tuple[str, list[tuple]]]:
    """Split rows beyond Excel's sheet limit over "Usage", "Usage (2)", ... sheets."""
    yield title, rows[:MAX_DATA_ROWS]
    for part, start in enumerate(range(MAX_DATA_ROWS, len(rows), MAX_DATA_ROWS), start=2):
        yield f"{title} ({part})", rows[start : start + MAX_DATA_ROWS]


def save_frame(path: Path, summary: SummaryData, frames: list[SheetFrame]) -> dict[str, str]:
    """The Summary and every report sheet's frame, saved; returns the style id of each
    number format the report columns use."""
    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    book.set_properties({"author": "flexwh", "title": f"Flex usage: {summary.team}"})
    bold = book.add_format({"bold": True})
    formats = {fmt: book.add_format({"num_format": fmt}) for fmt in FORMATS}
    # One format object per number format: XlsxWriter gives a style id only to the first
    # object of equal formats.
    chargeback_chart = write_summary(book, summary, bold, formats)
    for frame in frames:
        ws = book.add_worksheet(frame.title)
        _write_frame(ws, frame, bold, formats)
        if frame.title == SHEET_NAMES["chargeback"] and chargeback_chart is not None:
            # Beside the table: a drawing, so it never meets the rows written later.
            ws.insert_chart(1, len(frame.columns) + 1, chargeback_chart)
    book.close()
    used = {fmt for frame in frames for fmt in frame.formats if fmt is not None}
    styles = {fmt: formats[fmt].xf_index for fmt in sorted(used)}
    if None in styles.values():
        raise RuntimeError(f"{path.name}: a column format got no style id")
    return {fmt: str(index) for fmt, index in styles.items()}


def _write_frame(ws, frame: SheetFrame, bold, formats: dict) -> None:
    """Header row (bold, frozen, filtered), column widths and formats, print set-up."""
    for index, (name, fmt, width) in enumerate(
            zip(frame.columns, frame.formats, frame.widths, strict=True)):
        ws.set_column(index, index, width, formats[fmt] if fmt else None)
        ws.write_string(0, index, xlsx_text(name), bold)
    ws.freeze_panes(1, 0)
    if frame.columns:
        ws.autofilter(0, 0, frame.rows, len(frame.columns) - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # as wide as one page, as many pages long as it takes
    ws.repeat_rows(0)
    ws.set_paper(9)  # A4
