"""Files on disk through ingest and the staging models: keys repeated inside one file are
summed, and a later usage file replaces every earlier row of the (team, day) it delivers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from tests.ingest.helpers import Landing

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

HEADER = "team,day_used,product_name,version,tokens_used,autodesk_id\n"


def _usage(landing: Landing) -> list[tuple]:
    with duckdb.connect(str(landing.warehouse), read_only=True) as con:
        return con.execute(
            "select team, day_used, delivered_user_id, product_name, tokens_used "
            "from staging.stg_autodesk__usage order by all"
        ).fetchall()


def test_summing_and_a_correction_that_drops_a_row(tmp_path, dbt_build):
    landing = Landing(tmp_path)
    landing.write("usage/2026-01.csv", HEADER
                  + "Acme,2026-01-10,AutoCAD,2026,5,U1\n"
                  + "Acme,2026-01-10,AutoCAD,2026,2.5,U1\n"  # same key, same file: 7.5
                  + "Acme,2026-01-10,Revit,2026,10,U2\n"  # dropped by the correction
                  + "Acme,2026-01-11,Revit,2026,10,U2\n"  # another day: kept
                  + "Beta,2026-01-10,Maya,2026,10,U9\n")  # another team: kept
    # In one run, files apply in code-point order: "2026-02-fix.csv" < "2026-02.csv".
    landing.write("usage/2026-02-fix.csv", HEADER + "Acme,2026-02-01,AutoCAD,2026,3,U1\n")
    landing.write("usage/2026-02.csv", HEADER + "Acme,2026-02-01,AutoCAD,2026,5,U1\n")
    landing.ingest()
    dbt_build(landing.warehouse, "staging")

    assert _usage(landing) == [
        ("Acme", date(2026, 1, 10), "U1", "AutoCAD", Decimal("7.5")),
        ("Acme", date(2026, 1, 10), "U2", "Revit", Decimal("10")),
        ("Acme", date(2026, 1, 11), "U2", "Revit", Decimal("10")),
        ("Acme", date(2026, 2, 1), "U1", "AutoCAD", Decimal("5")),
        ("Beta", date(2026, 1, 10), "U9", "Maya", Decimal("10")),
    ]

    # The next delivery corrects Acme's 2026-01-10: U1 used 7 tokens and U2 nothing.
    landing.write("usage/2026-01-10-corrected.csv", HEADER + "Acme,2026-01-10,AutoCAD,2026,7,U1\n")
    landing.ingest()
    dbt_build(landing.warehouse, "staging")

    assert _usage(landing) == [
        ("Acme", date(2026, 1, 10), "U1", "AutoCAD", Decimal("7")),
        ("Acme", date(2026, 1, 11), "U2", "Revit", Decimal("10")),
        ("Acme", date(2026, 2, 1), "U1", "AutoCAD", Decimal("5")),
        ("Beta", date(2026, 1, 10), "U9", "Maya", Decimal("10")),
    ]
    # raw keeps every ingested row with its lineage: 5 + 1 + 1 + 1
    assert landing.query("select count(*) from raw.usage") == [(8,)]
