"""CSV writer of one Table: UTF-8 with BOM, CRLF, RFC 4180 quoting, header row."""

from __future__ import annotations

import csv
from pathlib import Path

from exports.cells import csv_text
from exports.tables import Table


def write_csv(path: Path, table: Table) -> int:
    """Write the table as CSV to path; return the number of data rows written."""
    count = 0
    # utf-8-sig writes the BOM so spreadsheet programs read accents right (exports.md).
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([csv_text(name) for name in table.columns])
        for row in table.rows:
            writer.writerow([csv_text(value) for value in row])
            count += 1
    return count
