"""Cell values as CSV text or XLSX values: formula-injection guard, token and date text."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

# exports.md "Formula injection": text starting with one of these gets a leading "'".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Control characters XML 1.0 cannot hold (the same set openpyxl refuses).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def guard_text(text: str) -> str:
    """Prefix text a spreadsheet would read as a formula with "'"."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text without exponent or trailing zeros: 7, 7.5, 0, -3.25."""
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    if value == 0:
        return "0"  # also turns -0.000 into 0
    return format(value.normalize(), "f")


def csv_text(value: object) -> str:
    """The CSV field for one value; numbers stay unguarded so -5 is still a number."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_text(value)
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        return decimal_text(Decimal(repr(value)))
    if isinstance(value, datetime):  # before date: datetime is a date
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"unsupported cell value {value!r} ({type(value).__name__})")


# Excel holds at most 32,767 characters (UTF-16 code units) in a cell and reports a file
# with a longer one as damaged; longer text is cut, and says so.
EXCEL_CELL_LIMIT = 32_767
TRUNCATED = " [truncated]"


def xlsx_text(text: str) -> str:
    """Text for an XLSX cell: XML-illegal control characters dropped, guarded, then cut to
    what Excel holds."""
    text = guard_text(_XML_ILLEGAL.sub("", text))
    units = text.encode("utf-16-le")
    if len(units) <= 2 * EXCEL_CELL_LIMIT:
        return text
    keep = units[: 2 * (EXCEL_CELL_LIMIT - len(TRUNCATED))]
    return keep.decode("utf-16-le", errors="ignore") + TRUNCATED
