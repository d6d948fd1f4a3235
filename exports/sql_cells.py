"""SQL that renders a value the way exports/cells.py and exports/sheet_rows.py do in Python:
the CSV field (for DuckDB's COPY) and the worksheet cell XML of the workbook.

Publishing every team renders millions of cells; DuckDB does it in its own threads while
Python only moves whole strings. tests/exports/test_team_batches.py holds both renderings
byte for byte against each other, hostile text included.
"""

from __future__ import annotations

import contextlib

import duckdb

from exports.cell_styles import DATE_LENGTH
from exports.cells import EXCEL_CELL_LIMIT, FORMULA_TRIGGERS, xlsx_text
from exports.sheet_rows import EXCEL_EPOCH

# The Python rendering cuts text over Excel's cell limit in UTF-16 code units; only text of
# more than this many characters can reach it, and goes through that same Python code.
_LONG_TEXT = EXCEL_CELL_LIMIT // 2
LONG_TEXT_UDF = "flexwh_xlsx_text"

_TRIGGER_LIST = ", ".join(f"chr({ord(trigger)})" for trigger in FORMULA_TRIGGERS)
# Control characters XML 1.0 cannot hold (exports/cells.py _XML_ILLEGAL).
_XML_ILLEGAL = r"[\x{00}-\x{08}\x{0B}\x{0C}\x{0E}-\x{1F}]"
# What str.strip() removes that can still be in a cell once \r is escaped.
_SPACE = r"[ \t\n\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                  "USMALLINT", "UINTEGER", "UBIGINT"}


def register(con: duckdb.DuckDBPyConnection) -> None:
    """The Python fallback for text long enough to need Excel's cut (rare)."""
    # Cursors of one connection share their functions: registered once is enough.
    with contextlib.suppress(duckdb.CatalogException):
        con.create_function(LONG_TEXT_UDF, xlsx_text, ["VARCHAR"], "VARCHAR")


def _guard(text: str) -> str:
    return (f"case when left({text}, 1) in ({_TRIGGER_LIST}) then '''' || {text} "
            f"else {text} end")


def _decimal(value: str) -> str:
    """exports/cells.py decimal_text: no exponent, no trailing zeros, -0 as 0."""
    text = f"cast({value} as varchar)"
    return (f"case when {value} = 0 then '0' when contains({text}, '.') "
            f"then rtrim(rtrim({text}, '0'), '.') else {text} end")


def _kind(duckdb_type: str) -> str:
    base = duckdb_type.split("(")[0].upper()
    if base == "VARCHAR":
        return "text"
    if base == "DECIMAL":
        return "decimal"
    if base in _INTEGER_TYPES:
        return "integer"
    if base in ("DATE", "BOOLEAN"):
        return base.lower()
    raise TypeError(f"no export rendering for column type {duckdb_type}")


def csv_field(value: str, duckdb_type: str) -> str:
    """The CSV field of exports/cells.py csv_text; NULL for an empty field (COPY writes
    an empty string as "")."""
    kind = _kind(duckdb_type)
    if kind == "text":
        return f"nullif({_guard(value)}, '')"
    if kind == "decimal":
        return _decimal(value)
    if kind == "boolean":
        return f"case when {value} then 'TRUE' when not {value} then 'FALSE' end"
    return f"cast({value} as varchar)"


def xlsx_cell(value: str, duckdb_type: str, column: str, row: str, style: str | None) -> str:
    """The <c> element of exports/sheet_rows.py _cell for the cell at column || row, in
    the column's style (numbers and dates); NULL for a NULL value (no element)."""
    ref = f"'{column}' || {row}"
    kind = _kind(duckdb_type)
    if kind == "text":
        cleaned = f"regexp_replace({value}, {_sql_text(_XML_ILLEGAL)}, '', 'g')"
        text = (f"case when length({value}) > {_LONG_TEXT} then {LONG_TEXT_UDF}({value}) "
                f"else {_guard(cleaned)} end")
        escaped = (f"replace(replace(replace(replace({text}, '&', '&amp;'), '<', '&lt;'), "
                   f"'>', '&gt;'), chr(13), '&#13;')")
        # DuckDB computes the repeated expression once (common subexpressions).
        space = (f"case when regexp_matches({escaped}, '^{_SPACE}|{_SPACE}$') "
                 "then ' xml:space=\"preserve\"' else '' end")
        return (f"'<c r=\"' || {ref} || '\" t=\"inlineStr\"><is><t' || {space} || '>' "
                f"|| {escaped} || '</t></is></c>'")
    if kind == "boolean":
        return f"'<c r=\"' || {ref} || '\" t=\"b\"><v>' || cast({value} as integer) || '</v></c>'"
    if kind == "date":
        number = f"({value} - date '{EXCEL_EPOCH.isoformat()}')"
    elif kind == "decimal":
        number = _decimal(value)
    else:
        number = f"cast({value} as varchar)"
    styled = f' s="{style}"' if style is not None else ""
    return f"'<c r=\"' || {ref} || '\"{styled} t=\"n\"><v>' || {number} || '</v></c>'"


def value_length(value: str, duckdb_type: str) -> str:
    """exports/cell_styles.py value_length in SQL (0 for NULL)."""
    if _kind(duckdb_type) == "date":
        return f"case when {value} is null then 0 else {DATE_LENGTH} end"
    return f"coalesce(length(cast({value} as varchar)), 0)"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
