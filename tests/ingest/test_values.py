"""The value rules of feeds.md, one text at a time, through the SQL macros ingest uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from ingest.values import clean_text, install_macros


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    install_macros(connection)
    yield connection
    connection.close()


def parse(con, kind: str, text: str | None):
    return con.execute(
        f"select flex_{kind}(flex_clean(?)), flex_{kind}_problem(flex_clean(?))", [text, text]
    ).fetchone()


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-01-10", dt.date(2026, 1, 10)),
    ("2026-01-10 08:15", dt.date(2026, 1, 10)),
    ("2026-01-10 23:59:59.999", dt.date(2026, 1, 10)),
    ("2026-01-10T23:30:00Z", dt.date(2026, 1, 10)),
    ("2026-01-10T23:30+02:00", dt.date(2026, 1, 10)),  # 21:30 UTC
    ("2026-01-10T23:30-02:00", dt.date(2026, 1, 11)),  # 01:30 UTC next day
    ("2026-01-01T00:30:00+01:00", dt.date(2025, 12, 31)),  # 23:30 UTC the day before
    ("2028-02-29", dt.date(2028, 2, 29)),
])
def test_dates(con, text, expected):
    assert parse(con, "date", text) == (expected, None)


@pytest.mark.parametrize("text", [
    "31/02/2026", "2026-02-31", "2027-02-29", "2026-1-10", "20260110", "2026-01-10 24:00",
    "2026-01-10 10:60", "2026-01-10T10:00+2", "yesterday",
])
def test_not_dates(con, text):
    assert parse(con, "date", text) == (None, "not a date")


@pytest.mark.parametrize(("text", "expected"), [
    ("7", Decimal("7")), ("+7", Decimal("7")), ("7.0000", Decimal("7")),
    ("140.5", Decimal("140.5")), ("0", Decimal("0")), ("007.250", Decimal("7.25")),
    ("999999999999999.999", Decimal("999999999999999.999")),
])
def test_token_amounts(con, text, expected):
    value, problem = parse(con, "tokens", text)
    assert (value, problem) == (expected, None)
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(("text", "problem"), [
    ("1.2345", "more than 3 decimals"), (".5", "not a number"), ("1e3", "not a number"),
    ("1,5", "not a number"), ("1 000", "not a number"), ("-7", "negative"),
    ("1000000000000000", "out of range"), ("abc", "not a number"), ("7.", "not a number"),
])
def test_rejected_token_amounts(con, text, problem):
    assert parse(con, "tokens", text) == (None, problem)


def test_adjustment_tokens_may_be_negative(con):
    assert parse(con, "signed_tokens", "-25.500") == (Decimal("-25.5"), None)
    assert parse(con, "signed_tokens", "-1.0001") == (None, "more than 3 decimals")


@pytest.mark.parametrize(("text", "expected"), [
    ("3.25", (Decimal("3.25"), None)), ("2030.123456", (Decimal("2030.123456"), None)),
    ("+0.5000000", (Decimal("0.5"), None)), ("0", (Decimal("0"), None)),
    ("999999999999.999999", (Decimal("999999999999.999999"), None)),
    ("1.1234567", (None, "more than 6 decimals")), ("-3", (None, "negative")),
    ("1000000000000", (None, "out of range")), ("3,25", (None, "not a number")),
])
def test_prices(con, text, expected):
    assert parse(con, "price", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("100", (100, None)), ("100.0", (100, None)), ("+5", (5, None)),
    ("1.5", (None, "not a whole number")), ("-1", (None, "negative")),
])
def test_whole_numbers(con, text, expected):
    assert parse(con, "whole", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("y", True), ("N", False),
    ("1", True), ("0", False), ("on", True), ("Off", False),
])
def test_booleans(con, text, expected):
    assert parse(con, "boolean", text) == (expected, None)


def test_not_a_boolean(con):
    assert parse(con, "boolean", "maybe") == (None, "not a boolean")


@pytest.mark.parametrize(("text", "expected"), [
    ("  Acme\t", "Acme"), ("\u00a0Acme\u2003", "Acme"), ("\r\nAcme\n", "Acme"),
    ("", None), ("   ", None), ("*****", None), (" ***** ", None), ("****", "****"),
])
def test_cleaning_in_sql_and_python_agree(con, text, expected):
    (in_sql,) = con.execute("select flex_clean(?)", [text]).fetchone()
    assert in_sql == expected
    assert clean_text(text) == expected
