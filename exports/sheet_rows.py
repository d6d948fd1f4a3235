"""The data rows of the workbook's report sheets, written as worksheet XML directly.

openpyxl costs about 15 µs a cell (a cell object, its style, an XML element each): 11 of
the 12 minutes of publishing bench-10m's 250 teams. The report sheets hold only plain
typed cells, so their rows are written here in the exact form openpyxl's write-only mode
writes them (inline strings, `t="n"` numbers, dates as serial numbers with the workbook's
date style), into the saved file: openpyxl still writes everything else (Summary, charts,
styles, header rows, column widths, frozen panes).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl.utils import get_column_letter

from exports.cells import decimal_text, xlsx_text

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's 1900-02-29
ROWS_PER_CHUNK = 5_000
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_SHEET_DATA_END = b"</sheetData>"


def sheet_member(index: int) -> str:
    """The zip member of the index-th sheet (1-based): openpyxl numbers them in order."""
    return f"xl/worksheets/sheet{index}.xml"


def date_style(path: Path, sheet: int, ref: str) -> str:
    """The style id of a date cell openpyxl wrote (sheet `sheet`, cell `ref`)."""
    with zipfile.ZipFile(path) as book:
        xml = book.read(sheet_member(sheet)).decode("utf-8")
    found = re.search(rf'<c r="{ref}" s="(\d+)" t="n">', xml)
    if not found:
        raise ValueError(f"{path.name}: no date cell at {ref} of sheet {sheet}")
    return found.group(1)


def fill_sheets(path: Path, chunks_by_sheet: dict[int, Iterable[bytes]]) -> None:
    """Append the rows' XML to the given sheets (each holds its header row) of the saved
    book."""
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


def row_chunks(rows: Iterable[tuple], style: str) -> Iterator[bytes]:
    """Rows 2, 3, … as XML, in chunks."""
    letters: list[str] = []
    parts: list[str] = []
    for number, row in enumerate(rows, start=2):
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
        cells = "".join(_cell(f"{letters[i]}{number}", value, style)
                        for i, value in enumerate(row) if value is not None)
        parts.append(f'<row r="{number}">{cells}</row>')
        if len(parts) == ROWS_PER_CHUNK:
            yield "".join(parts).encode("utf-8")
            parts = []
    if parts:
        yield "".join(parts).encode("utf-8")


def _cell(ref: str, value: object, style: str) -> str:
    """One cell as openpyxl's write-only mode writes it (exports/workbook.py `_cell`)."""
    if isinstance(value, str):
        text = xlsx_text(value).translate(_ESCAPES)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        return f'<c r="{ref}" t="n"><v>{decimal_text(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{style}" t="n"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    raise TypeError(f"unsupported cell value {value!r} ({type(value).__name__})")

