"""write_workbook: sheets, headers, typed cells, injection guard and the Summary charts."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from exports import workbook
from exports.tables import Table
from exports.workbook import SummaryData, write_workbook

BUCKETS = ["0", "1-100", "101-500", "501-5000", "over 5000"]
START = date(2025, 4, 1)


def summary() -> SummaryData:
    days = [(START + timedelta(days=i), Decimal(i) / 4) for i in range(365)]
    distribution = [
        (product, bucket, users)
        for product in ("AutoCAD", "Revit")
        for users, bucket in enumerate(BUCKETS, start=1)
    ]
    overview = [("Tokens used", Decimal("681486979.787")), ("Active users", 12)]
    return SummaryData(
        "Acme", date(2026, 3, 31), START, date(2026, 3, 31), "named", overview, days,
        distribution,
    )


def tables() -> list[Table]:
    usage = Table(
        "usage",
        ["Team", "Day used", "Product", "Tokens used"],
        [
            ("Acme", date(2026, 3, 1), "=HYPERLINK(\"x\")", Decimal("681486979.787")),
            ("Acme", date(2026, 3, 2), "@evil", Decimal("-5.500")),
            ("Acme", date(2026, 3, 3), "-x", Decimal("0.125")),
            ("Acme", date(2026, 3, 4), "\tTab\x01", Decimal("7")),
            ("Acme", date(2026, 3, 5), "\rcr", Decimal("123456789012.345")),
        ],
    )
    by_product = Table("by_product", ["Team", "Product", "Users"], [("Acme", "Revit", 3)])
    return [by_product, Table("by_user", ["Team", "Email"], []), usage]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "flex_report.xlsx"
    write_workbook(path, summary(), tables())
    return path


def sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def test_sheet_names_in_order_headers_bold_and_frozen(book: Path):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Summary", "By product", "By user", "Usage"]
    usage = wb["Usage"]
    assert [cell.value for cell in usage[1]] == ["Team", "Day used", "Product", "Tokens used"]
    assert all(cell.font.b for cell in usage[1])
    assert usage.freeze_panes == "A2"
    assert wb["By user"].max_row == 1  # header only


def test_typed_cells_and_injection_guard(book: Path):
    usage = openpyxl.load_workbook(book)["Usage"]
    texts = [row[2] for row in usage.iter_rows(min_row=2, values_only=True)]
    assert texts[:4] == ["'=HYPERLINK(\"x\")", "'@evil", "'-x", "'\tTab"]  # \x01 dropped
    # A CR stays guarded; it reads back as CR (lxml writes it as &#13;) or as LF (the pure
    # Python writer leaves it raw and XML normalises line ends).
    assert texts[4] in ("'\rcr", "'\ncr")
    day = usage["B2"]
    assert day.value == datetime(2026, 3, 1) and day.number_format == "yyyy-mm-dd"
    negative = usage["D3"]
    assert negative.data_type == "n" and negative.value == -5.5  # a number, not guarded text
    assert openpyxl.load_workbook(book)["By product"]["C2"].value == 3


def test_decimals_are_written_exactly(book: Path):
    xml = sheet_xml(book, 4)  # Usage
    values = dict(re.findall(r'<c r="(D\d+)"[^>]*t="n"[^>]*><v>([^<]*)</v>', xml))
    # openpyxl's own "%.16g" would give 681486979.7869999 and 123456789012.3450.
    assert values == {
        "D2": "681486979.787", "D3": "-5.5", "D4": "0.125", "D5": "7",
        "D6": "123456789012.345",
    }


def test_summary_items_overview_and_data_blocks(book: Path):
    ws = openpyxl.load_workbook(book)["Summary"]
    items = [(a, b) for a, b in ws.iter_rows(min_row=1, max_row=8, max_col=2, values_only=True)]
    assert items == [
        ("Item", "Value"), ("Team", "Acme"), ("As of", datetime(2026, 3, 31)),
        ("Range start", datetime(2025, 4, 1)), ("Range end", datetime(2026, 3, 31)),
        ("Personal data", "named"), ("Tokens used", 681486979.787), ("Active users", 12),
    ]
    assert ws["D2"].value == datetime(2025, 4, 1) and ws["E2"].value == 0
    assert ws["D366"].value == datetime(2026, 3, 31) and ws["E366"].value == 91
    assert ws["D367"].value is None
    assert [ws.cell(r, 8).value for r in range(2, 7)] == BUCKETS
    assert [ws.cell(r, 7).value for r in (2, 6, 7, 11)] == ["AutoCAD"] * 2 + ["Revit"] * 2


def test_summary_has_line_chart_over_365_days_and_one_bar_chart_per_product(book: Path):
    charts = openpyxl.load_workbook(book)["Summary"]._charts
    kinds = [type(chart).__name__ for chart in charts]
    assert kinds == ["LineChart", "BarChart", "BarChart"]
    line = charts[0].series[0]
    assert line.val.numRef.f == "'Summary'!$E$2:$E$366"  # 365 rows of tokens
    assert line.cat.numRef.f == "'Summary'!$D$2:$D$366"
    assert line.tx.strRef.f == "'Summary'!$E$1"
    refs = [(bar.series[0].val.numRef.f, bar.series[0].cat.strRef.f) for bar in charts[1:]]
    assert refs == [
        ("'Summary'!$I$2:$I$6", "'Summary'!$H$2:$H$6"),
        ("'Summary'!$I$7:$I$11", "'Summary'!$H$7:$H$11"),
    ]


def test_rows_over_the_sheet_limit_continue_on_numbered_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_DATA_ROWS", 2)
    rows = [("Acme", date(2026, 3, day), "Revit", Decimal(day)) for day in range(1, 6)]
    path = tmp_path / "big.xlsx"
    usage = Table("usage", ["Team", "Day used", "Product", "Tokens used"], rows)
    write_workbook(path, summary(), [usage])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Usage", "Usage (2)", "Usage (3)"]
    assert [wb[name].max_row for name in wb.sheetnames[1:]] == [3, 3, 2]
    assert wb["Usage (3)"]["D2"].value == 5 and wb["Usage (2)"]["A1"].value == "Team"


def test_unknown_table_name_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="no sheet name for table 'screens'"):
        write_workbook(tmp_path / "x.xlsx", summary(), [Table("screens", ["Team"], [])])


def test_report_rows_beyond_one_write_chunk_all_arrive_in_order(tmp_path: Path):
    # exports/sheet_rows.py writes the report rows in chunks of 5,000: 12,001 rows span three.
    rows = [("Acme", date(2026, 1, 1) + timedelta(days=i % 365), f"P{i}", Decimal(i) / 8)
            for i in range(12_001)]
    path = tmp_path / "big.xlsx"
    write_workbook(path, summary(), [Table("usage", ["Team", "Day used", "Product",
                                                     "Tokens used"], rows)])
    sheet = openpyxl.load_workbook(path, read_only=True)["Usage"]
    read = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(read) == 12_001
    assert read[-1] == ("Acme", datetime(2026, 1, 1) + timedelta(days=12_000 % 365), "P12000",
                        1500)
    assert read[5_000][2] == "P5000" and read[5_000][3] == 625


def test_text_longer_than_an_excel_cell_holds_is_cut_and_says_so(tmp_path: Path):
    long_product = "R" * 40_000
    astral = "\U0001f600" * 20_000  # two UTF-16 units each: 40,000 units
    usage = Table("usage", ["Team", "Product"], [("Acme", long_product), ("Acme", astral)])
    path = tmp_path / "book.xlsx"
    write_workbook(path, summary(), [usage])

    sheet = openpyxl.load_workbook(path)["Usage"]
    cut, cut_astral = sheet["B2"].value, sheet["B3"].value
    assert cut == "R" * (32_767 - 12) + " [truncated]" and len(cut) == 32_767
    assert cut_astral.endswith(" [truncated]")
    assert len(cut_astral.encode("utf-16-le")) // 2 <= 32_767
    assert set(cut_astral[:-12]) == {"\U0001f600"}  # no half of a character left
