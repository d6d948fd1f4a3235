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


def summary(**changes) -> SummaryData:
    days = [(START + timedelta(days=i), Decimal(i) / 4) for i in range(365)]
    distribution = [
        (product, bucket, users)
        for product in ("AutoCAD", "Revit")
        for users, bucket in enumerate(BUCKETS, start=1)
    ]
    overview = [("Tokens used", Decimal("681486979.787")), ("Active users", 12),
                ("Low balance", False), ("Run-out", date(2026, 4, 4))]
    balance = [(date(2026, 3, 31) + timedelta(days=i), Decimal(100 - 10 * i)) for i in range(11)]
    values = dict(
        team="Acme", as_of=date(2026, 3, 31), range_start=START, range_end=date(2026, 3, 31),
        pii_mode="named", overview=overview, daily_tokens=days, distribution=distribution,
        by_product=[("Revit", Decimal("1200.500")), ("AutoCAD", Decimal("70.000"))],
        balance=balance, active_tokens=(Decimal("100.000"), Decimal("900.000")))
    return SummaryData(**{**values, **changes})


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
    items = [(a, b) for a, b in ws.iter_rows(min_row=1, max_row=10, max_col=2, values_only=True)]
    assert items == [
        ("Item", "Value"), ("Team", "Acme"), ("As of", datetime(2026, 3, 31)),
        ("Range start", datetime(2025, 4, 1)), ("Range end", datetime(2026, 3, 31)),
        ("Personal data", "named"), ("Tokens used", 681486979.787), ("Active users", 12),
        ("Low balance", "No"), ("Run-out", datetime(2026, 4, 4)),
    ]
    # Fixed decimals with thousands separators, whole numbers, dates.
    assert [ws[f"B{row}"].number_format for row in (3, 7, 8, 10)] == [
        "yyyy-mm-dd", "#,##0.000", "#,##0", "yyyy-mm-dd"]
    # The charts' data below the charts (row 31 on): the donut, tokens by product, users
    # per bucket and product, the 365 days and the projected balance.
    assert ws["A31"].value == "Chart data"
    assert [[c.value for c in row] for row in ws["A33:B35"]] == [
        ["Active packs", "Tokens"], ["Available", 100], ["Used", 900]]
    assert [[c.value for c in row] for row in ws["D33:E35"]] == [
        ["Product", "Tokens used"], ["Revit", 1200.5], ["AutoCAD", 70]]
    assert [c.value for c in ws["G33:L33"][0]] == ["Product", *BUCKETS]
    assert [[c.value for c in row] for row in ws["G34:L35"]] == [
        ["AutoCAD", 1, 2, 3, 4, 5], ["Revit", 1, 2, 3, 4, 5]]
    assert ws["N34"].value == datetime(2025, 4, 1) and ws["O34"].value == 0
    assert ws["N398"].value == datetime(2026, 3, 31) and ws["O398"].value == 91
    assert ws["N399"].value is None
    assert ws["Q34"].value == datetime(2026, 3, 31) and ws["R34"].value == 100
    assert ws["R44"].value == 0 and ws["R45"].value is None


def chart_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        names.sort(key=lambda n: int(re.search(r"\d+", n).group()))
        return [archive.read(name).decode("utf-8") for name in names]


def test_summary_has_the_five_charts_on_their_data(book: Path):
    charts = chart_xml(book)
    kinds = [re.search(r"<c:(\w+Chart)>", xml).group(1) for xml in charts]
    assert kinds == ["doughnutChart", "barChart", "barChart", "lineChart", "lineChart"]
    refs = [re.findall(r"<c:f>([^<]*)</c:f>", xml) for xml in charts]
    assert refs[0] == ["Summary!$A$34:$A$35", "Summary!$B$34:$B$35"]
    assert refs[1] == ["Summary!$D$34:$D$35", "Summary!$E$34:$E$35"]
    assert '<c:barDir val="bar"/>' in charts[1] and '<c:barDir val="col"/>' in charts[2]
    # One series per bucket over the two products.
    assert refs[2][:3] == ["Summary!$H$33", "Summary!$G$34:$G$35", "Summary!$H$34:$H$35"]
    assert len(refs[2]) == 3 * len(BUCKETS)
    assert refs[3] == ["Summary!$O$33", "Summary!$N$34:$N$398", "Summary!$O$34:$O$398"]
    assert refs[4] == ["Summary!$R$33", "Summary!$Q$34:$Q$44", "Summary!$R$34:$R$44"]
    assert all("<c:dateAx>" in xml for xml in charts[3:])


def test_summary_fits_one_landscape_page(book: Path):
    xml = sheet_xml(book, 1)
    assert '<pageSetup paperSize="9" orientation="landscape"' in xml
    assert '<pageSetUpPr fitToPage="1"/>' in xml
    with zipfile.ZipFile(book) as archive:
        names = archive.read("xl/workbook.xml").decode("utf-8")
    assert "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"0\">Summary!$A$1:$R$29" \
        in names


def test_a_team_without_an_active_pack_says_so_instead_of_a_donut(tmp_path: Path):
    path = tmp_path / "book.xlsx"
    write_workbook(path, summary(active_tokens=None, balance=[(date(2026, 3, 31), Decimal(0))]),
                   tables())
    kinds = [re.search(r"<c:(\w+Chart)>", xml).group(1) for xml in chart_xml(path)]
    assert kinds == ["barChart", "barChart", "lineChart"]
    with zipfile.ZipFile(path) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode("utf-8")
    assert "No active token pack on 2026-03-31" in drawing
    assert "No tokens to project" in drawing
    assert openpyxl.load_workbook(path)["Summary"]["A33"].value is None  # no donut data


def test_report_sheets_are_filtered_fitted_formatted_and_print_their_header(book: Path):
    wb = openpyxl.load_workbook(book)
    usage = wb["Usage"]
    assert usage.auto_filter.ref == "A1:D6"
    assert usage["B2"].number_format == "yyyy-mm-dd"
    assert [usage[f"D{row}"].number_format for row in range(2, 7)] == ["#,##0.000"] * 5
    widths = {letter: usage.column_dimensions[letter].width for letter in "ABCD"}
    # XlsxWriter stores a width w as w + 0.71. "Team": its header, 4 + 4; a date, 10 + 2
    # of room + 2; the 15 characters of '=HYPERLINK("x")' + 2; the longest token amount,
    # 123456789012.345 (16 characters and 5 separators) + 2.
    assert [round(widths[letter] - 0.71) for letter in "ABCD"] == [8, 14, 17, 23]
    assert wb["By product"]["C2"].number_format == "#,##0"
    xml = sheet_xml(book, 4)
    assert '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"' in xml
    with zipfile.ZipFile(book) as archive:
        names = archive.read("xl/workbook.xml").decode("utf-8")
    assert "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"3\">Usage!$1:$1" in names


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


@pytest.mark.parametrize(("rows", "title"), [
    ([(date(2026, 2, 1), "CC-A", Decimal("10.50"), "USD"),
      (date(2026, 3, 1), "CC-A", Decimal("4.00"), "USD")],
     "Amount per cost centre and month (USD)"),
    ([(date(2026, 2, 1), "CC-A", Decimal("10.50"), "USD"),
      (date(2026, 3, 1), "CC-A", Decimal("4.00"), "EUR"),
      (date(2026, 3, 1), "CC-B", None, None)],
     "Amount per cost centre and month (several currencies: see the table); no bar where "
     "the amount is unknown"),
])
def test_the_chargeback_chart_names_its_currency_and_unknown_amounts(tmp_path, rows, title):
    path = tmp_path / "book.xlsx"
    chargeback = Table("chargeback", ["Team", "Month"], [("Acme", date(2026, 2, 1))])
    write_workbook(path, summary(chargeback=rows), [chargeback])
    stacked = [xml for xml in chart_xml(path) if '<c:grouping val="stacked"/>' in xml]
    assert len(stacked) == 1
    assert "".join(re.findall(r"<a:t>([^<]*)</a:t>", stacked[0])) == title
    with zipfile.ZipFile(path) as archive:  # drawn on the Chargeback sheet (sheet 2)
        assert "drawing" in archive.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
