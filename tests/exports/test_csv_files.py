"""write_csv: exact bytes (BOM, CRLF, quoting), token and date text, injection guard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from exports.cells import csv_text
from exports.csv_files import write_csv
from exports.tables import Table

BOM = b"\xef\xbb\xbf"


def test_bytes_bom_crlf_and_rfc4180_quoting(tmp_path: Path):
    table = Table(
        "usage",
        ["Team", "Day used", "Tokens used", "Email"],
        [
            ("Acme, Inc.", date(2026, 3, 1), Decimal("7.000"), 'say "hi"'),
            ("Line\nbreak", date(2025, 12, 31), Decimal("7.500"), None),
            ("Café", date(2026, 1, 9), Decimal("0.000"), ""),
        ],
    )
    path = tmp_path / "usage.csv"
    assert write_csv(path, table) == 3
    assert path.read_bytes() == BOM + (
        "Team,Day used,Tokens used,Email\r\n"
        '"Acme, Inc.",2026-03-01,7,"say ""hi"""\r\n'
        '"Line\nbreak",2025-12-31,7.5,\r\n'
        "Café,2026-01-09,0,\r\n"
    ).encode()


def test_header_only_when_no_rows(tmp_path: Path):
    path = tmp_path / "users.csv"
    assert write_csv(path, Table("users", ["Team", "Email"], [])) == 0
    assert path.read_bytes() == BOM + b"Team,Email\r\n"


def test_formula_injection_guarded_but_numbers_stay_numbers(tmp_path: Path):
    rows = [
        ("=1+2",), ("+cmd",), ("-2+3",), ("@SUM(A1)",), ("\tx",), ("\rx",), ("a=b",),
        (Decimal("-5.250"),), (-3,),
    ]
    path = tmp_path / "t.csv"
    write_csv(path, Table("usage", ["Value"], rows))
    lines = path.read_bytes()[len(BOM):].decode("utf-8").split("\r\n")
    assert lines == [
        "Value", "'=1+2", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "\"'\rx\"", "a=b",
        "-5.25", "-3", "",
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("7"), "7"),
        (Decimal("7.500"), "7.5"),
        (Decimal("0.000"), "0"),
        (Decimal("-0.000"), "0"),
        (Decimal("1200.000"), "1200"),
        (Decimal("0.001"), "0.001"),
        (Decimal("123456789012345.125"), "123456789012345.125"),
        (12, "12"),
        (True, "TRUE"),
        (None, ""),
        (date(2024, 2, 29), "2024-02-29"),
    ],
)
def test_value_text(value, text):
    assert csv_text(value) == text


def test_row_of_wrong_width_is_refused():
    with pytest.raises(ValueError, match="row 0 has 1 values, 2 columns"):
        Table("usage", ["Team", "Email"], [("only one",)])
