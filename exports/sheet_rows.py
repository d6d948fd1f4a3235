"""The data rows of the workbook's report sheets, written as worksheet XML directly.

A spreadsheet library costs about 15 µs a cell (openpyxl: 11 of the 12 minutes of
publishing bench-10m's 250 teams; XlsxWriter's constant_memory mode was slower still,
docs/benchmarks.md). The report sheets hold only plain typed cells, so their rows are
written here (inline strings, `t="n"` numbers, dates as serial numbers, each number in its
column's style) into the saved file: XlsxWriter writes everything else (Summary, charts,
styles, header rows, widths, filters, print set-up).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from exports.cells import decimal_text, xlsx_text

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's 1900-02-29
ROWS_PER_CHUNK = 5_000
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_SHEET_DATA_END = b"</sheetData>"


def sheet_member(index: int) -> str:
    """The zip member of the index-th sheet (1-based): XlsxWriter numbers them in order."""
    return f"xl/worksheets/sheet{index}.xml"


def fill_sheets(path: Path, chunks_by_sheet: dict[int, Iterable[bytes]],
                dimensions: dict[int, str]) -> None:
    """Append the rows' XML to the given sheets (each holds its header row) of the saved
    book, and set each sheet's used range (`A1:O1234`: readers size the sheet by it)."""
    temp = path.with_name(path.name + ".rows")
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(
                temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target:
            for info in source.infolist():
                data = source.read(info)
                index = _sheet_index(info.filename)
                if index not in chunks_by_sheet:
                    target.writestr(info, data)
                    continue
                head, tail = data.split(_SHEET_DATA_END, 1)
                head = re.sub(rb'<dimension ref="[^"]*"/>',
                              f'<dimension ref="{dimensions[index]}"/>'.encode("ascii"),
                              head, count=1)
                with target.open(info.filename, "w", force_zip64=True) as out:
                    out.write(head)
                    for chunk in chunks_by_sheet[index]:
                        out.write(chunk)
                    out.write(_SHEET_DATA_END + tail)
        os.replace(temp, path)
    finally:
        if temp.exists():
            os.unlink(temp)


def _sheet_index(member: str) -> int | None:
    found = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", member)
    return int(found.group(1)) if found else None


def row_chunks(rows: Iterable[tuple], styles: list[str | None]) -> Iterator[bytes]:
    """Rows 2, 3, … as XML, in chunks; `styles` holds each column's style id (None for
    text and booleans)."""
    letters = [xl_col_to_name(index) for index in range(len(styles))]
    parts: list[str] = []
    for number, row in enumerate(rows, start=2):
        cells = "".join(_cell(f"{letters[i]}{number}", value, styles[i])
                        for i, value in enumerate(row) if value is not None)
        parts.append(f'<row r="{number}">{cells}</row>')
        if len(parts) == ROWS_PER_CHUNK:
            yield "".join(parts).encode("utf-8")
            parts = []
    if parts:
        yield "".join(parts).encode("utf-8")


def _cell(ref: str, value: object, style: str | None) -> str:
    """One cell (exports/sql_cells.py renders the same in SQL)."""
    if isinstance(value, str):
        text = xlsx_text(value).translate(_ESCAPES)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        number = decimal_text(value)
    elif isinstance(value, int):
        number = str(value)
    elif isinstance(value, date):
        number = str((value - EXCEL_EPOCH).days)
    else:
        raise TypeError(f"unsupported cell value {value!r} ({type(value).__name__})")
    styled = f' s="{style}"' if style is not None else ""
    return f'<c r="{ref}"{styled} t="n"><v>{number}</v></c>'

