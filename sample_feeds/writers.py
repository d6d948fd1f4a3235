"""Byte-for-byte reproducible CSV and XLSX files.

openpyxl stamps the workbook's created/modified properties and every zip entry with the
current time; both are replaced by a stamp derived from the data, so the same seed gives
the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from openpyxl import Workbook

BOM = "\ufeff".encode()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]],
              encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """RFC 4180 CSV (CRLF line ends, quotes only where needed) for the small feeds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode(encoding, errors)


def table_csv_bytes(table: pa.Table, bom: bool = False, crlf: bool = False) -> bytes:
    """A usage table as CSV through pyarrow, fast enough for millions of rows."""
    sink = pa.BufferOutputStream()
    options = pacsv.WriteOptions(quoting_style="needed", eol="\r\n" if crlf else "\n")
    pacsv.write_csv(table, sink, options)
    data = sink.getvalue().to_pybytes()
    return BOM + data if bom else data


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def xlsx_bytes(sheets: Sequence[tuple[str, Iterable[Sequence[object]]]],
               stamp: datetime) -> bytes:
    """A workbook with the given sheets in order, every timestamp set to `stamp`."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.properties.creator = "Autodesk Account"
    raw = io.BytesIO()
    workbook.save(raw)
    return _fix_timestamps(raw.getvalue(), stamp)


def _fix_timestamps(data: bytes, stamp: datetime) -> bytes:
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                                 rb"\g<1>" + iso.encode(), content)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()
