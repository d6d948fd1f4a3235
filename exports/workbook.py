"""flex_report.xlsx: a Summary sheet with native charts, then one sheet per report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.axis import DateAxis
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from exports.cells import decimal_text, xlsx_text
from exports.sheet_rows import ROWS_PER_CHUNK, date_style, fill_sheets, row_chunks
from exports.tables import Table

SHEET_NAMES = {
    "by_product": "By product",
    "by_user": "By user",
    "subscriptions": "Subscriptions",
    "users": "Users",
    "usage": "Usage",
}
# Rows of a sheet below its header: Excel's 1,048,576 rows minus the header row.
MAX_DATA_ROWS = 1_048_575
DATE_FORMAT = "yyyy-mm-dd"
_BOLD = Font(bold=True)

# Summary layout: three side-by-side blocks, charts to their right.
ITEM_COL, DAY_COL, PRODUCT_COL, CHART_COL = 1, 4, 7, "K"
CHART_ROWS = 16  # vertical room per chart anchor
SUMMARY_DATE_CELL = "B3"  # "As of": always a date cell of the Summary


@dataclass(frozen=True)
class SummaryData:
    """What the Summary sheet shows about one team's export."""

    team: str
    as_of: date
    range_start: date
    range_end: date
    pii_mode: str
    overview: list[tuple[str, object]]
    daily_tokens: list[tuple[date, Decimal]]
    distribution: list[tuple[str, str, int]]


def write_workbook(path: Path, summary: SummaryData, sheets: list[Table]) -> None:
    """Write the workbook: Summary first, then the tables in the order given."""
    _check_names(sheets)
    parts = [(table.columns, title, rows) for table in sheets
             for title, rows in _sheet_parts(SHEET_NAMES[table.name], table.rows)]
    save_skeleton(path, summary, [(title, columns) for columns, title, _ in parts])
    # The report rows are written straight as XML (exports/sheet_rows.py), in the date
    # style openpyxl gave the Summary's "As of" cell.
    style = date_style(path, 1, SUMMARY_DATE_CELL)
    fill_sheets(path, {index: row_chunks(rows, style)
                       for index, (_, _, rows) in enumerate(parts, start=2)})


def write_rendered_workbook(path: Path, summary: SummaryData,
                            sheets: list[tuple[str, list[str], list[list[str]]]]) -> int:
    """Write the workbook from rows already rendered as XML (exports/team_batches.py): each
    sheet is (table name, header, parts), a part the <row> elements of one worksheet, with
    DATE_STYLE_PLACEHOLDER where the date style goes. Returns the number of rows."""
    _check_names([Table(name, columns, []) for name, columns, _ in sheets])
    titles = []
    for name, columns, parts in sheets:
        for number, _ in enumerate(parts, start=1):
            title = SHEET_NAMES[name] if number == 1 else f"{SHEET_NAMES[name]} ({number})"
            titles.append((title, columns))
    save_skeleton(path, summary, titles)
    style = date_style(path, 1, SUMMARY_DATE_CELL).encode("ascii")
    all_parts = [rows for _, _, parts in sheets for rows in parts]
    fill_sheets(path, {index: _encoded(rows, style)
                       for index, rows in enumerate(all_parts, start=2)})
    return sum(len(rows) for rows in all_parts)


DATE_STYLE_PLACEHOLDER = "\x01"  # never in a cell: XML cannot hold it (exports/cells.py)


def _encoded(rows: list[str], style: bytes) -> Iterator[bytes]:
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        chunk = "".join(rows[start : start + ROWS_PER_CHUNK]).encode("utf-8")
        yield chunk.replace(DATE_STYLE_PLACEHOLDER.encode("ascii"), style)


def _check_names(sheets: list[Table]) -> None:
    for table in sheets:
        if table.name not in SHEET_NAMES:
            raise ValueError(f"no sheet name for table {table.name!r}")


def save_skeleton(path: Path, summary: SummaryData, sheets: list[tuple[str, list[str]]]
                  ) -> None:
    """The Summary with its charts and every sheet's header row, saved; rows come after."""
    # write_only streams rows to disk (big Usage sheets); it supports charts and frozen panes.
    book = Workbook(write_only=True)
    book.properties.creator = "flexwh"
    _write_summary(book.create_sheet("Summary"), summary)
    for title, columns in sheets:
        _write_header(book.create_sheet(title), columns)
    book.save(path)


def _sheet_parts(title: str, rows: list[tuple]) -> Iterator[tuple[str, list[tuple]]]:
    """Split rows beyond Excel's sheet limit over "Usage", "Usage (2)", ... sheets."""
    yield title, rows[:MAX_DATA_ROWS]
    for part, start in enumerate(range(MAX_DATA_ROWS, len(rows), MAX_DATA_ROWS), start=2):
        yield f"{title} ({part})", rows[start : start + MAX_DATA_ROWS]


def _write_header(ws, columns: list[str]) -> None:
    """The header row (bold, frozen); the data rows follow in fill_sheets."""
    # Column widths and panes must be set before the first row of a write-only sheet.
    for index, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 4)
    ws.freeze_panes = "A2"
    ws.append([_header(ws, name) for name in columns])


def _write_summary(ws, summary: SummaryData) -> None:
    """Team facts and overview, the 365 daily totals and the distribution, with charts."""
    for letter, width in zip("ABCDEFGHI", (28, 22, 3, 12, 16, 3, 28, 14, 10), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    items = [
        ("Team", summary.team),
        ("As of", summary.as_of),
        ("Range start", summary.range_start),
        ("Range end", summary.range_end),
        ("Personal data", summary.pii_mode),
        *summary.overview,
    ]
    blocks = [
        (ITEM_COL, ["Item", "Value"], items),
        (DAY_COL, ["Day", "Tokens used"], summary.daily_tokens),
        (PRODUCT_COL, ["Product", "Bucket", "Users"], summary.distribution),
    ]
    height = 1 + max(len(rows) for _, _, rows in blocks)
    width = max(col + len(header) - 1 for col, header, _ in blocks)
    for row_index in range(height):
        line: list[object] = [None] * width
        for col, header, rows in blocks:
            if row_index == 0:
                values = [_header(ws, name) for name in header]
            elif row_index <= len(rows):
                values = [_cell(ws, value) for value in rows[row_index - 1]]
            else:
                continue
            line[col - 1 : col - 1 + len(values)] = values
        ws.append(line)
    _add_charts(ws, summary)


def _add_charts(ws, summary: SummaryData) -> None:
    """A line chart of the daily tokens and one bar chart of users per bucket per product."""
    days = len(summary.daily_tokens)
    if days:
        line = LineChart()
        line.title = "Tokens used per day"
        line.y_axis.title = "Tokens"
        line.x_axis = DateAxis(crossAx=100)
        line.x_axis.number_format = DATE_FORMAT
        line.x_axis.majorTimeUnit = "months"
        values = Reference(ws, min_col=DAY_COL + 1, min_row=1, max_row=1 + days)
        line.add_data(values, titles_from_data=True)
        # openpyxl writes the title reference relative (E1); charts use absolute ones.
        line.series[0].tx = SeriesLabel(strRef=StrRef(f=str(Reference(ws, DAY_COL + 1, 1))))
        line.set_categories(Reference(ws, min_col=DAY_COL, min_row=2, max_row=1 + days))
        _show_axes(line, width=24)
        ws.add_chart(line, f"{CHART_COL}2")
    anchor_row = 2 + CHART_ROWS
    for product, first, last in _product_runs(summary.distribution):
        bar = BarChart()
        bar.type = "col"
        bar.title = f"Token distribution: {xlsx_text(product)}"
        bar.y_axis.title = "Users"
        users = Reference(ws, min_col=PRODUCT_COL + 2, min_row=first, max_row=last)
        bar.series.append(Series(users, title="Users"))
        buckets = Reference(ws, min_col=PRODUCT_COL + 1, min_row=first, max_row=last)
        # Bucket labels are text: a string reference (set_categories would write numRef).
        bar.series[0].cat = AxDataSource(strRef=StrRef(f=str(buckets)))
        bar.legend = None
        _show_axes(bar, width=16)
        ws.add_chart(bar, f"{CHART_COL}{anchor_row}")
        anchor_row += CHART_ROWS


def _product_runs(distribution: list[tuple[str, str, int]]) -> list[tuple[str, int, int]]:
    """(product, first sheet row, last sheet row) of each product's consecutive rows."""
    runs: list[tuple[str, int, int]] = []
    for offset, (product, _bucket, _users) in enumerate(distribution):
        row = 2 + offset
        if runs and runs[-1][0] == product and runs[-1][2] == row - 1:
            runs[-1] = (product, runs[-1][1], row)
        else:
            runs.append((product, row, row))
    return runs


def _show_axes(chart, width: float) -> None:
    """Axes visible (openpyxl 3.1 writes delete=1 by default) and a readable size."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = width, 7.5


def _header(ws, name: str) -> WriteOnlyCell:
    """A bold header cell."""
    cell = WriteOnlyCell(ws, value=xlsx_text(name))
    cell.font = _BOLD
    return cell


def _cell(ws, value: object) -> object:
    """A typed cell value: guarded text, exact decimals, dates with YYYY-MM-DD format."""
    if isinstance(value, str):
        return xlsx_text(value)
    if isinstance(value, Decimal):
        return _decimal_cell(ws, value)
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"unsupported cell value {value!r} ({type(value).__name__})")


def _decimal_cell(ws, value: Decimal) -> WriteOnlyCell:
    """A numeric cell holding the decimal's exact text.

    openpyxl 3.1.5 writes numbers with "%.16g" of a float, so 681486979.787 would
    become 681486979.7869999; a numeric cell whose stored value is the decimal's own text
    is written verbatim (checked in tests/exports/test_workbook.py).
    """
    cell = WriteOnlyCell(ws, value=value)  # data type "n"
    cell._value = decimal_text(value)
    return cell
