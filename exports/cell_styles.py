"""How the workbook shows a column: its number format and its width.

A column's format follows its type, the same for the rows Python writes (from the values)
and the rows DuckDB renders (from the column types): dates `yyyy-mm-dd`, whole numbers
with thousands separators, decimals with thousands separators and their scale's fixed
decimals (tokens `10,593.000`, averages `49.50`). Text and booleans keep the default.

The rendered rows name a format by a placeholder character (XML cannot hold it, so it is
never in a cell), replaced by the workbook's style id once the workbook is saved.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

DATE_FORMAT = "yyyy-mm-dd"
MAX_SCALE = 6  # prices have 6 decimals; nothing has more
FORMATS = (DATE_FORMAT, *(f"#,##0.{'0' * scale}".rstrip(".") for scale in range(MAX_SCALE + 1)))
PLACEHOLDERS = {fmt: chr(1 + index) for index, fmt in enumerate(FORMATS)}

MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_LENGTH = 10


def decimal_format(scale: int) -> str:
    return FORMATS[1 + min(max(scale, 0), MAX_SCALE)]


def value_format(value: object) -> str | None:
    """The format of a column whose values are like `value` (None: text or boolean)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return decimal_format(-exponent if isinstance(exponent, int) else 0)
    if isinstance(value, int):
        return decimal_format(0)
    if isinstance(value, date):
        return DATE_FORMAT
    raise TypeError(f"unsupported cell value {value!r} ({type(value).__name__})")


def type_format(duckdb_type: str) -> str | None:
    """The format of a DuckDB column type (exports/sql_cells.py kinds)."""
    base = duckdb_type.split("(")[0].upper()
    if base == "DATE":
        return DATE_FORMAT
    if base == "DECIMAL":
        return decimal_format(int(duckdb_type.split(",")[1].rstrip(") ")))
    if base in ("VARCHAR", "BOOLEAN"):
        return None
    return decimal_format(0)  # the integer types


def value_length(value: object) -> int:
    """Characters of a value as the width counts them (SQL: exports/sql_cells.py)."""
    if value is None:
        return 0
    if isinstance(value, date):
        return DATE_LENGTH
    return len(str(value))


def column_width(header: str, longest: int, fmt: str | None) -> float:
    """A width that shows the header and the longest value (thousands separators added)."""
    if fmt == DATE_FORMAT:
        longest += 2  # right-aligned dates would touch the left-aligned text beside them
    elif fmt is not None:
        longest += longest // 3
    return float(min(MAX_WIDTH, max(MIN_WIDTH, len(header) + 4, longest + 2)))
