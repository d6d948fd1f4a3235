"""Chargeback and Flex fit (insights.md) worked by hand, as of 2026-03-31.

Chargeback months: 2025-03 … 2026-03. Flex fit window (last_12_months; as_of is the last
day of March, so March is complete): 2025-04-01 … 2026-03-31. Prices: token `*` 2.000000
usd (lower case) from 2025-04-02 and 3.000000 from
2026-03-16 (mid-month); Beta's own token 1.500000 from 2025-01-01 (wins over `*`);
Gamma's own token 4.000000 EUR from 2026-03-20. Products (`*`): AutoCAD 100, Revit 500;
Beta's own AutoCAD 60; Civil 3D and Navisworks have none.

Cost centres: Alpha a1 CC-A from the beginning, CC-B from 2026-03-16 (mid-month); a2 given
as `A2@Example.com` (resolves to a2) CC-A; a3 unmapped. Beta b1 given by its hashed ID
`H-B1` CC-X; b2 unmapped. A row for a user nobody knows is ignored.

Alpha (named):
- a1 Navisworks 2025-03-15 and 2025-04-01, 1 token each, before any token price: amounts
  NULL (and currency); flex fit (04-01 only) `unknown`.
- a1 AutoCAD 2025-06-10 60 at 2.0, and in March 2026 03-10 10 at 2.0 (CC-A) and 03-20 10
  at 3.0 (CC-B): flex 120 + 20 + 30 = 170.00 > 100.00: `subscription`, savings 70.00.
- a2 Revit 2025-07-01, 250 at 2.0 = 500.00 = Revit's 500.00: break-even is `flex`.
- a2 AutoCAD 2026-03-20, 5.125 at 3.0 = 15.375 (CC-A): flex 15.38 ≤ 100: `flex`.
- a3 Civil 3D 2025-12-01 and 2026-03-05, 4 at 2.0 each: 16.00, no Civil 3D price: `unknown`.
- March 2026 chargeback: CC-A 15.125 tokens, 2 users, 20 + 15.375 = 35.375 → 35.38
  (half-up once per row); CC-B 30.00 (a1 counts in both); unassigned 8.00.
- a1 AutoCAD 2025-02-28, 7: before the 13 months, in no row.
Beta (hashed): b1 AutoCAD 2026-02-10, 45 at Beta's 1.5 = 67.50 > Beta's AutoCAD 60.00:
`subscription`, savings 7.50. b2 Revit 2026-03-31, 3 at 1.5 (Beta's own price although `*`
changed on 03-16) = 4.50, unassigned; `flex`.
Gamma: g1 AutoCAD 03-19 2 at `*` 3.0 USD, 03-20 2 at Gamma's 4.0 EUR: two currencies, so
amount and currency NULL, and flex fit `unknown`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from tests.dbt.invoke import run_dbt

pytestmark = pytest.mark.slow  # a dbt build: not in make test-fast

AS_OF = "2026-03-31"
HASH_KEY = "chargeback-test-hash-key"
USAGE_COLUMNS = ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id",
                 "hashed_autodesk_id", "email", "first_name", "last_name")
USAGE = [
    ("Alpha", "2025-02-28", "AutoCAD", "2026", "7", "a1", None, None, "Ann", "One"),
    ("Alpha", "2025-03-15", "Navisworks", "2026", "1", "a1", None, None, "Ann", "One"),
    ("Alpha", "2025-04-01", "Navisworks", "2026", "1", "a1", None, None, "Ann", "One"),
    ("Alpha", "2025-06-10", "AutoCAD", "2026", "60", "a1", None, None, "Ann", "One"),
    ("Alpha", "2025-07-01", "Revit", "2026", "250", "a2", None, "a2@example.com", "Ben", "Two"),
    ("Alpha", "2025-12-01", "Civil 3D", "2026", "4", "a3", None, "a3@example.com", None, None),
    ("Alpha", "2026-03-05", "Civil 3D", "2026", "4", "a3", None, "a3@example.com", None, None),
    ("Alpha", "2026-03-10", "AutoCAD", "2026", "10", "a1", None, None, "Ann", "One"),
    ("Alpha", "2026-03-20", "AutoCAD", "2026", "10", "a1", None, None, "Ann", "One"),
    ("Alpha", "2026-03-20", "AutoCAD", "2026", "5.125", "a2", None, "a2@example.com", "Ben",
     "Two"),
    ("Beta", "2026-02-10", "AutoCAD", "2026", "45", "b1", "H-B1", None, None, None),
    ("Beta", "2026-03-31", "Revit", "2026", "3", "b2", None, None, None, None),
    ("Gamma", "2026-03-19", "AutoCAD", "2026", "2", "g1", None, None, None, None),
    ("Gamma", "2026-03-20", "AutoCAD", "2026", "2", "g1", None, None, None, None),
]
PRICE_COLUMNS = ("item", "team", "valid_from", "price", "currency")
PRICES = [
    ("token", "*", "2025-04-02", "2.000000", "usd"),
    ("Token", "*", "2026-03-16", "3.000000", "USD"),
    ("token", "Beta", "2025-01-01", "1.500000", "USD"),
    ("TOKEN", "Gamma", "2026-03-20", "4.000000", "EUR"),
    ("AutoCAD", "*", "2025-01-01", "100.000000", "USD"),
    ("Revit", "*", "2025-01-01", "500.000000", "USD"),
    ("AutoCAD", "Beta", "2025-01-01", "60.000000", "USD"),
]
COST_CENTER_COLUMNS = ("team", "user", "cost_center", "valid_from")
COST_CENTERS = [
    ("Alpha", "a1", "CC-A", None),
    ("Alpha", "a1", "CC-B", "2026-03-16"),
    ("Alpha", "A2@Example.com", "CC-A", None),
    ("Alpha", "nobody", "CC-Z", None),
    ("Beta", "H-B1", "CC-X", None),
]


def user_key(user_id: str) -> str:
    """metrics.md: HMAC-SHA256(key, user_id), first 40 hex characters."""
    return hmac.new(HASH_KEY.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:40]


UNASSIGNED = "(unassigned)"
CHARGEBACK = [
    ("Alpha", date(2025, 3, 1), "CC-A", D("1.000"), 1, None, None),
    ("Alpha", date(2025, 4, 1), "CC-A", D("1.000"), 1, None, None),
    ("Alpha", date(2025, 6, 1), "CC-A", D("60.000"), 1, D("120.00"), "USD"),
    ("Alpha", date(2025, 7, 1), "CC-A", D("250.000"), 1, D("500.00"), "USD"),
    ("Alpha", date(2025, 12, 1), UNASSIGNED, D("4.000"), 1, D("8.00"), "USD"),
    ("Alpha", date(2026, 3, 1), UNASSIGNED, D("4.000"), 1, D("8.00"), "USD"),
    ("Alpha", date(2026, 3, 1), "CC-A", D("15.125"), 2, D("35.38"), "USD"),
    ("Alpha", date(2026, 3, 1), "CC-B", D("10.000"), 1, D("30.00"), "USD"),
    ("Beta", date(2026, 2, 1), "CC-X", D("45.000"), 1, D("67.50"), "USD"),
    ("Beta", date(2026, 3, 1), UNASSIGNED, D("3.000"), 1, D("4.50"), "USD"),
    ("Gamma", date(2026, 3, 1), UNASSIGNED, D("4.000"), 1, None, None),
]
FLEX_FIT = sorted([
    # team, user_key, user_name, product, days, tokens, flex, subscription, currency,
    # recommendation, savings
    ("Alpha", user_key("a1"), "Ann One", "AutoCAD", 3, D("80.000"), D("170.00"), D("100.00"),
     "USD", "subscription", D("70.00")),
    ("Alpha", user_key("a1"), "Ann One", "Navisworks", 1, D("1.000"), None, None, None,
     "unknown", D("0.00")),
    ("Alpha", user_key("a2"), "Ben Two", "AutoCAD", 1, D("5.125"), D("15.38"), D("100.00"),
     "USD", "flex", D("0.00")),
    ("Alpha", user_key("a2"), "Ben Two", "Revit", 1, D("250.000"), D("500.00"), D("500.00"),
     "USD", "flex", D("0.00")),
    ("Alpha", user_key("a3"), "a3@example.com", "Civil 3D", 2, D("8.000"), D("16.00"), None,
     "USD", "unknown", D("0.00")),
    ("Beta", user_key("b1"), user_key("b1"), "AutoCAD", 1, D("45.000"), D("67.50"),
     D("60.00"), "USD", "subscription", D("7.50")),
    ("Beta", user_key("b2"), user_key("b2"), "Revit", 1, D("3.000"), D("4.50"), D("500.00"),
     "USD", "flex", D("0.00")),
    ("Gamma", user_key("g1"), user_key("g1"), "AutoCAD", 2, D("4.000"), None, D("100.00"),
     None, "unknown", D("0.00")),
])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, write_raw) -> Path:
    path = tmp_path_factory.mktemp("chargeback") / "warehouse.duckdb"
    write_raw(path, {
        "usage": (USAGE_COLUMNS, {1: USAGE}),
        "team_settings": (("team", "pii_enabled"), {1: [("Alpha", True), ("Beta", False)]}),
        "prices": (PRICE_COLUMNS, {2: PRICES}),
        "cost_centers": (COST_CENTER_COLUMNS, {3: COST_CENTERS}),
    })
    run_dir = path.parent / "dbt"
    run_dbt(["build", "--select", "+path:models/marts/chargeback", "--indirect-selection",
             "cautious", "--target-path", str(run_dir / "target"),
             "--log-path", str(run_dir / "logs")],
            {**os.environ, "FLEXWH_WAREHOUSE": str(path), "FLEXWH_DATA_DIR": str(path.parent),
             "FLEXWH_HASH_KEY": HASH_KEY},
            vars_json=json.dumps({"as_of": AS_OF}))
    return path


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_chargeback_monthly(warehouse):
    assert rows(warehouse, "select * from marts.rpt_chargeback_monthly "
                           "order by team, month, cost_center") == CHARGEBACK


def test_flex_fit(warehouse):
    found = rows(warehouse, "select * exclude (as_of_date) from marts.rpt_flex_fit "
                            "order by team, user_key, product_name")
    assert found == FLEX_FIT
    assert rows(warehouse, "select distinct as_of_date from marts.rpt_flex_fit") == [
        (date(2026, 3, 31),)]


def test_a_late_file_replaces_a_cost_centre_and_a_price_of_the_same_key(warehouse, tmp_path,
                                                                        write_raw):
    # A later file: a1 moves to CC-C from the same 2026-03-16, and `*`'s token of
    # 2026-03-16 becomes 4.000000 (the earlier rows of those keys no longer count).
    copy = tmp_path / "warehouse.duckdb"
    write_raw(copy, {
        "usage": (USAGE_COLUMNS, {1: USAGE}),
        "team_settings": (("team", "pii_enabled"), {1: [("Alpha", True), ("Beta", False)]}),
        "prices": (PRICE_COLUMNS, {2: PRICES, 4: [("token", "*", "2026-03-16", "4", "USD")]}),
        "cost_centers": (COST_CENTER_COLUMNS,
                         {3: COST_CENTERS, 5: [("Alpha", "a1", "CC-C", "2026-03-16")]}),
    })
    run_dbt(["build", "--select", "+rpt_chargeback_monthly", "--indirect-selection",
             "cautious", "--target-path", str(tmp_path / "target"),
             "--log-path", str(tmp_path / "logs")],
            {**os.environ, "FLEXWH_WAREHOUSE": str(copy), "FLEXWH_DATA_DIR": str(tmp_path),
             "FLEXWH_HASH_KEY": HASH_KEY},
            vars_json=json.dumps({"as_of": AS_OF}))
    march = rows(copy, "select cost_center, tokens_used, amount from marts.rpt_chargeback_monthly"
                       " where team = 'Alpha' and month = date '2026-03-01' order by cost_center")
    # CC-A: 10 × 2.0 + 5.125 × 4.0 = 40.5; CC-C: 10 × 4.0; CC-B is gone.
    assert march == [(UNASSIGNED, D("4.000"), D("8.00")), ("CC-A", D("15.125"), D("40.50")),
                     ("CC-C", D("10.000"), D("40.00"))]


def test_large_valid_prices_give_exact_amounts_or_null_never_a_failed_build(tmp_path,
                                                                          write_raw):
    # Both are valid inputs: tokens below 10^15, prices below 10^12 with 6 decimals.
    # 20,000 × 50,000.000001 = 1,000,000,000.02 exactly; 50,000 × 999,999,999,999.999999
    # is beyond DECIMAL(18,2): the amount is unknown (NULL), and the build goes on.
    warehouse = tmp_path / "warehouse.duckdb"
    write_raw(warehouse, {
        "usage": (USAGE_COLUMNS[:6], {1: [
            ("Big", "2026-03-02", "AutoCAD", "2026", "20000", "x1"),
            ("Huge", "2026-03-02", "AutoCAD", "2026", "50000", "y1")]}),
        "prices": (PRICE_COLUMNS, {2: [
            ("token", "Big", "2026-01-01", "50000.000001", "USD"),
            ("token", "Huge", "2026-01-01", "999999999999.999999", "USD")]}),
    })
    run_dbt(["build", "--select", "+path:models/marts/chargeback", "--indirect-selection",
             "cautious", "--target-path", str(tmp_path / "target"),
             "--log-path", str(tmp_path / "logs")],
            {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse), "FLEXWH_DATA_DIR": str(tmp_path),
             "FLEXWH_HASH_KEY": HASH_KEY},
            vars_json=json.dumps({"as_of": AS_OF}))
    assert rows(warehouse, "select team, amount, currency from marts.rpt_chargeback_monthly "
                           "order by team") == [("Big", D("1000000000.02"), "USD"),
                                                ("Huge", None, "USD")]
    assert rows(warehouse, "select team, flex_cost from marts.rpt_flex_fit order by team") == [
        ("Big", D("1000000000.02")), ("Huge", None)]
