"""The workbook's Usage sheet written two ways, to keep the faster (issue 12):
XlsxWriter's constant_memory mode cell by cell, against the product's way (XlsxWriter
writes the frame, exports/sheet_rows.py writes the rows as XML into the saved file).

    .venv/bin/python -m bench.bench_workbook [--rows 300000]

Same rows, same formats (dates, tokens with 3 decimals), one process, back to back; writes
the `workbook-writers` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from bench.common import machine, write_section
from exports.cell_styles import DATE_FORMAT, decimal_format
from exports.cells import xlsx_text
from exports.summary_sheet import SummaryData
from exports.tables import Table
from exports.workbook import write_workbook

COLUMNS = ["Team", "Day used", "Product", "Version", "Tokens used", "Autodesk ID", "Email",
           "First name", "Last name"]


def usage_rows(count: int) -> list[tuple]:
    start = date(2025, 4, 1)
    return [("Northgate Civil", start + timedelta(days=i % 365), ("AutoCAD", "Revit")[i % 2],
             "2026", Decimal(i % 400) / 8, f"USER{i % 900:05d}", f"user{i % 900}@example.com",
             "Zoë", "O'Brien") for i in range(count)]


def summary() -> SummaryData:
    return SummaryData("Northgate Civil", date(2026, 3, 31), date(2025, 4, 1),
                       date(2026, 3, 31), "named", [], [], [])


def constant_memory(path: Path, rows: list[tuple]) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    dates = book.add_format({"num_format": DATE_FORMAT})
    tokens = book.add_format({"num_format": decimal_format(3)})
    ws = book.add_worksheet("Usage")
    ws.write_row(0, 0, COLUMNS)
    for number, row in enumerate(rows, start=1):
        team, day, product, version, used, *identity = row
        ws.write_string(number, 0, xlsx_text(team))
        ws.write_datetime(number, 1, day, dates)
        ws.write_string(number, 2, xlsx_text(product))
        ws.write_string(number, 3, xlsx_text(version))
        ws.write_number(number, 4, used, tokens)
        for offset, text in enumerate(identity, start=5):
            ws.write_string(number, offset, xlsx_text(text))
    book.close()


def spliced(path: Path, rows: list[tuple]) -> None:
    write_workbook(path, summary(), [Table("usage", COLUMNS, rows)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    count = parser.parse_args().rows
    rows = usage_rows(count)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, write in (("XlsxWriter constant_memory, cell by cell", constant_memory),
                            ("frame by XlsxWriter, rows as XML (the product)", spliced)):
            path = Path(scratch) / f"{write.__name__}.xlsx"
            started = time.perf_counter()
            write(path, rows)
            seconds = time.perf_counter() - started
            results.append((name, seconds, path.stat().st_size))
            print(f"{name}: {seconds:.1f} s, {path.stat().st_size / 1e6:.1f} MB", flush=True)
    load = os.getloadavg()[0]
    lines = [f"Usage sheet of {count:,} rows × {len(COLUMNS)} columns, one process, "
             f"back to back ({machine()}, load {load:.2f}); `python -m bench.bench_workbook "
             f"--rows {count}`.", "", "| writer | seconds | µs a cell | file |",
             "|---|---|---|---|"]
    cells = count * len(COLUMNS)
    for name, seconds, size in results:
        lines.append(f"| {name} | {seconds:.1f} | {seconds / cells * 1e6:.2f} | "
                     f"{size / 1e6:.1f} MB |")
    write_section("workbook-writers", "\n".join(lines))


if __name__ == "__main__":
    main()
