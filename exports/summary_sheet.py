"""The workbook's Summary sheet: the team's numbers beside five charts that fit on one
screen and one printed page, with the charts' data in blocks below them.

Charts: the active packs' available and used tokens (the donut of Autodesk Account),
tokens by product and users by tokens used (last 12 months), tokens used per day (365 days)
and the projected balance (insights.md's forecast).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from exports.cell_styles import DATE_FORMAT, decimal_format, value_format
from exports.cells import decimal_text, xlsx_text

SUMMARY_DATE_CELL = "B3"  # "As of"

# The chart grid, in pixels from the top left of column D: two rows of charts.
CHART_COLUMN = 3
CHART_WIDTH, CHART_HEIGHT = 420, 270
TITLE_FONT = {"size": 11, "bold": True}
GRID_ROWS = 28  # rows the grid covers (20 px each): the printed area
DATA_ROW = 30  # the "Chart data" title; its blocks start two rows below
# First column of each data block below the charts.
DONUT_COL, PRODUCT_COL, BUCKET_COL, DAY_COL, BALANCE_COL, CHARGEBACK_COL = 0, 3, 6, 13, 16, 19
COLUMN_WIDTHS = {0: 34, 1: 22, 2: 2, 3: 24, 4: 14, 5: 2, 6: 24, 12: 2, 13: 12, 14: 14,
                 15: 2, 16: 12, 17: 16}
BUCKET_WIDTH = 10
LAST_PRINTED_COLUMN = 17


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
    distribution: list[tuple[str, str, int]]  # product, bucket, users (bucket order)
    by_product: list[tuple[str, Decimal]] = field(default_factory=list)
    balance: list[tuple[date, Decimal]] = field(default_factory=list)
    # (available, used) of the packs active on as_of; None when no pack is active.
    active_tokens: tuple[Decimal, Decimal] | None = None
    # (month, cost centre, amount, currency) of rpt_chargeback_monthly: the Chargeback
    # sheet's chart.
    chargeback: list[tuple[date, str, Decimal | None, str | None]] = field(
        default_factory=list)


class _Cells:
    """Typed cells in the workbook's formats: guarded text, exact decimals, dates."""

    def __init__(self, book, ws, bold, formats: dict) -> None:
        self.ws = ws
        self.bold = bold
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.formats = formats  # number format -> the workbook's format object

    def number_format(self, fmt: str):
        return self.formats[fmt]

    def header(self, row: int, col: int, names: list[str]) -> None:
        for offset, name in enumerate(names):
            self.ws.write_string(row, col + offset, xlsx_text(name), self.bold)

    def value(self, row: int, col: int, value: object) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            self.ws.write_string(row, col, "Yes" if value else "No")
        elif isinstance(value, str):
            self.ws.write_string(row, col, xlsx_text(value))
        elif isinstance(value, Decimal):
            # Written from the decimal's own digits: exact (XlsxWriter formats it, no float).
            self.ws.write_number(row, col, Decimal(decimal_text(value)),
                                 self.number_format(value_format(value)))
        elif isinstance(value, int):
            self.ws.write_number(row, col, value, self.number_format(decimal_format(0)))
        elif isinstance(value, date):
            self.ws.write_datetime(row, col, value, self.number_format(DATE_FORMAT))
        else:
            raise TypeError(f"unsupported cell value {value!r} ({type(value).__name__})")


def write_summary(book, summary: SummaryData, bold, formats: dict):
    """The Summary sheet, in the workbook's bold and number formats (cell_styles.FORMATS);
    returns the chart of the Chargeback sheet (its data sits on the Summary), or None."""
    ws = book.add_worksheet("Summary")
    cells = _Cells(book, ws, bold, formats)
    for col, width in COLUMN_WIDTHS.items():
        ws.set_column(col, col, width)
    ws.set_column(BUCKET_COL + 1, BUCKET_COL + 5, BUCKET_WIDTH)
    items = [
        ("Team", summary.team),
        ("As of", summary.as_of),
        ("Range start", summary.range_start),
        ("Range end", summary.range_end),
        ("Personal data", summary.pii_mode),
        *summary.overview,
    ]
    cells.header(0, 0, ["Item", "Value"])
    for row, (label, value) in enumerate(items, start=1):
        cells.value(row, 0, label)
        cells.value(row, 1, value)
    ws.freeze_panes(1, 0)
    ws.write_string(DATA_ROW, 0, "Chart data", cells.title)
    _charts(book, ws, cells, summary)
    ws.set_landscape()
    ws.set_paper(9)
    ws.print_area(0, 0, GRID_ROWS, LAST_PRINTED_COLUMN)
    ws.fit_to_pages(1, 1)
    ws.activate()
    return _chargeback(book, cells, summary, DATA_ROW + 2)


def _charts(book, ws, cells: _Cells, summary: SummaryData) -> None:
    first = DATA_ROW + 2  # the header row of every block; data starts below it
    slots = [(0, 0, CHART_WIDTH), (CHART_WIDTH, 0, CHART_WIDTH),
             (2 * CHART_WIDTH, 0, CHART_WIDTH),
             (0, CHART_HEIGHT, 3 * CHART_WIDTH // 2),
             (3 * CHART_WIDTH // 2, CHART_HEIGHT, 3 * CHART_WIDTH // 2)]
    charts = [
        _donut(book, ws, cells, summary, first),
        _by_product(book, ws, cells, summary, first),
        _distribution(book, ws, cells, summary, first),
        _daily(book, ws, cells, summary, first),
        _balance(book, ws, cells, summary, first),
    ]
    for (x, y, width), chart in zip(slots, charts, strict=True):
        options = {"x_offset": x, "y_offset": y}
        if isinstance(chart, str):  # nothing to draw: say why, where the chart would be
            ws.insert_textbox(0, CHART_COLUMN, chart, {
                **options, "width": width, "height": CHART_HEIGHT,
                "font": {"size": 12}, "align": {"vertical": "middle",
                                                "horizontal": "center"}})
            continue
        chart.set_size({"width": width, "height": CHART_HEIGHT})
        ws.insert_chart(0, CHART_COLUMN, chart, options)


def _donut(book, ws, cells: _Cells, summary: SummaryData, first: int):
    if summary.active_tokens is None:
        return f"No active token pack on {summary.as_of.isoformat()}"
    cells.header(first, DONUT_COL, ["Active packs", "Tokens"])
    for offset, (label, value) in enumerate(zip(("Available", "Used"), summary.active_tokens,
                                                strict=True), start=1):
        cells.value(first + offset, DONUT_COL, label)
        cells.value(first + offset, DONUT_COL + 1, value)
    chart = book.add_chart({"type": "doughnut"})
    chart.add_series({
        "name": "Active packs",
        "categories": ["Summary", first + 1, DONUT_COL, first + 2, DONUT_COL],
        "values": ["Summary", first + 1, DONUT_COL + 1, first + 2, DONUT_COL + 1],
        "points": [{"fill": {"color": "#2E75B6"}}, {"fill": {"color": "#BFBFBF"}}],
        "data_labels": {"value": True, "num_format": "#,##0"},
    })
    chart.set_title({"name": "Tokens of the active packs", "name_font": TITLE_FONT})
    chart.set_legend({"position": "bottom"})
    return chart


def _by_product(book, ws, cells: _Cells, summary: SummaryData, first: int):
    if not summary.by_product:
        return "No product used in the last 12 months"
    cells.header(first, PRODUCT_COL, ["Product", "Tokens used"])
    for offset, (product, tokens) in enumerate(summary.by_product, start=1):
        cells.value(first + offset, PRODUCT_COL, product)
        cells.value(first + offset, PRODUCT_COL + 1, tokens)
    last = first + len(summary.by_product)
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Tokens used",
        "categories": ["Summary", first + 1, PRODUCT_COL, last, PRODUCT_COL],
        "values": ["Summary", first + 1, PRODUCT_COL + 1, last, PRODUCT_COL + 1],
        "fill": {"color": "#2E75B6"},
    })
    chart.set_title({"name": "Tokens by product, last 12 months", "name_font": TITLE_FONT})
    chart.set_y_axis({"reverse": True})  # the biggest product on top
    chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    return chart


def _distribution(book, ws, cells: _Cells, summary: SummaryData, first: int):
    products = list(dict.fromkeys(product for product, _, _ in summary.distribution))
    buckets = list(dict.fromkeys(bucket for _, bucket, _ in summary.distribution))
    if not products:
        return "No product used in the last 12 months"
    users = {(product, bucket): count for product, bucket, count in summary.distribution}
    cells.header(first, BUCKET_COL, ["Product", *buckets])
    for offset, product in enumerate(products, start=1):
        cells.value(first + offset, BUCKET_COL, product)
        for index, bucket in enumerate(buckets, start=1):
            cells.value(first + offset, BUCKET_COL + index, users.get((product, bucket), 0))
    last = first + len(products)
    chart = book.add_chart({"type": "column"})
    for index in range(1, len(buckets) + 1):
        chart.add_series({
            "name": ["Summary", first, BUCKET_COL + index],
            "categories": ["Summary", first + 1, BUCKET_COL, last, BUCKET_COL],
            "values": ["Summary", first + 1, BUCKET_COL + index, last, BUCKET_COL + index],
        })
    chart.set_title({"name": "Users by tokens used, last 12 months", "name_font": TITLE_FONT})
    chart.set_y_axis({"num_format": "#,##0", "name": "Users"})
    chart.set_legend({"position": "bottom"})
    return chart


def _daily(book, ws, cells: _Cells, summary: SummaryData, first: int):
    return _day_line(book, cells, summary.daily_tokens, first, DAY_COL,
                     ["Day", "Tokens used"], "Tokens used per day",
                     "No usage in the last 365 days")


def _balance(book, ws, cells: _Cells, summary: SummaryData, first: int):
    if len(summary.balance) < 2:
        return "No tokens to project: the team holds no active or upcoming pack"
    return _day_line(book, cells, summary.balance, first, BALANCE_COL,
                     ["Day", "Projected balance"], "Projected balance at the 30-day burn rate",
                     "")


def _day_line(book, cells: _Cells, points: list[tuple[date, Decimal]], first: int, col: int,
              header: list[str], title: str, empty: str):
    if not points:
        return empty
    cells.header(first, col, header)
    for offset, (day, tokens) in enumerate(points, start=1):
        cells.value(first + offset, col, day)
        cells.value(first + offset, col + 1, tokens)
    last = first + len(points)
    chart = book.add_chart({"type": "line"})
    chart.add_series({
        "name": ["Summary", first, col + 1],
        "categories": ["Summary", first + 1, col, last, col],
        "values": ["Summary", first + 1, col + 1, last, col + 1],
        "line": {"width": 1.5, "color": "#2E75B6"},
    })
    chart.set_title({"name": title, "name_font": TITLE_FONT})
    chart.set_x_axis({"date_axis": True, "num_format": "mmm yy", "major_unit": 3,
                      "major_unit_type": "months"})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    return chart


def _chargeback(book, cells: _Cells, summary: SummaryData, first: int):
    """Amount per cost centre per month: months down, cost centres across (a stacked
    column chart, a series per cost centre)."""
    amounts = {(month, center): amount for month, center, amount, _ in summary.chargeback}
    # One axis of money: the currency in the title, or a warning that the bars mix them.
    currencies = {currency for *_, amount, currency in summary.chargeback
                  if amount is not None}
    unit = (f" ({currencies.pop()})" if len(currencies) == 1 else
            " (several currencies: see the table)" if currencies else "")
    unknown = any(amount is None for _, _, amount, _ in summary.chargeback)
    months = sorted({month for month, _ in amounts})
    centers = sorted({center for _, center in amounts})
    if not months:
        return None
    cells.header(first, CHARGEBACK_COL, ["Month", *centers])
    for offset, month in enumerate(months, start=1):
        cells.value(first + offset, CHARGEBACK_COL, month)
        for index, center in enumerate(centers, start=1):
            cells.value(first + offset, CHARGEBACK_COL + index, amounts.get((month, center)))
    last = first + len(months)
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    for index in range(1, len(centers) + 1):
        chart.add_series({
            "name": ["Summary", first, CHARGEBACK_COL + index],
            "categories": ["Summary", first + 1, CHARGEBACK_COL, last, CHARGEBACK_COL],
            "values": ["Summary", first + 1, CHARGEBACK_COL + index, last,
                       CHARGEBACK_COL + index],
            "gap": 60,
        })
    title = "Amount per cost centre and month" + unit
    if unknown:
        title += "; no bar where the amount is unknown"
    chart.set_title({"name": title, "name_font": TITLE_FONT})
    chart.set_x_axis({"num_format": "mmm yy", "date_axis": False})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 3 * CHART_WIDTH // 2, "height": CHART_HEIGHT + 60})
    return chart
