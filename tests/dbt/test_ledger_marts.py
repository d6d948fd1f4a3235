"""Token-ledger marts (models/marts/ledger) on hand-written feeds, compared with rows worked
out by hand from metrics.md.

Two warehouses, teams kept apart inside each, three dbt builds in all:

- W1, as of 2026-03-31, built twice (the second build must give identical marts):
  Acme   the spec README's worked example, plus 150 tokens used in 2025 so that S0 has the
         README's 50 left on 2026-01-01, an upcoming pack, a non-pack subscription and
         usage and a move dated after as_of (ignored);
  Bolt   buys a pack P1 that moves to Cargo mid-life (event M1, 2026-03-10); its other
         pack P2 has no end_date (ends on as_of) and is empty, so Bolt's use on the move
         day is unallocated;
  Cargo  receives P1 and uses it on the move day;
  Delta  holds an expired, an active and an upcoming pack and is merged into Echo;
  Echo   merge receiver, with a pack of its own;
  Fox    a positive adjustment, an over-large negative one (shortfall), an adjustment of
         an upcoming pack and one of an unknown pack (not applied);
  Golf   uses more than its pack holds (unallocated); a move names it wrongly;
  Hotel  a pack and no usage;
  India  usage after as_of only.
- W2, as of 2028-03-01: expiries on a month end (2027-11-30) and on 2028-02-29, a default
  end date on 2028-02-29, a pack starting on as_of, and the low-balance boundary (20 %
  left is not low, 19.5 % is).

Token amounts are exact decimals; the 90- and 7-day windows of W1 are 2026-01-01..03-31
and 2026-03-25..03-31; as_of + 90 = 2026-06-29.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt.invoke import run_dbt

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

D = Decimal
# The ledger marts and everything upstream; only tests whose parents are all built (the
# default would also run tests of models downstream of staging that this build skips).
SELECTOR = "+path:models/marts/ledger"
MARTS = ("dim_token_pack", "fct_token_events", "fct_pack_allocation",
         "fct_team_balance_daily", "rpt_team_overview")  # fmt: skip

USAGE_COLUMNS = ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id")
SUBSCRIPTION_COLUMNS = ("subscription_id", "team", "offering_name", "seat_quantity",
                        "start_date", "end_date")  # fmt: skip
EVENT_COLUMNS = ("event_id", "event_date", "event_type", "subscription_id", "from_team",
                 "to_team", "tokens")  # fmt: skip

# fmt: off
W1_SUBSCRIPTIONS = [
    ("S0", "Acme", "Autodesk Flex", 200, "2025-02-01", "2026-01-31"),
    ("S1", "Acme", "Autodesk Flex", 1000, "2026-01-01", "2026-12-31"),
    ("S2", "Acme", "Autodesk Flex", 500, "2026-03-01", "2027-02-28"),
    ("S3", "Acme", "Autodesk Flex", 300, "2026-04-01", None),  # upcoming; ends 2027-03-31
    ("AC1", "Acme", "AutoCAD - Standard", 5, "2026-01-01", "2026-12-31"),  # not a pack
    ("P1", "Bolt", "Flex Tokens", 300, "2026-01-01", "2026-06-29"),
    ("P2", "Bolt", "Flex Tokens", 100, "2025-04-01", None),  # ends 2026-03-31 = as_of
    ("D1", "Delta", "Flex Tokens", 50, "2025-01-01", "2025-12-31"),
    ("D2", "Delta", "Flex Tokens", 400, "2026-01-01", "2026-12-31"),
    ("D3", "Delta", "Flex Tokens", 200, "2026-06-01", "2027-05-31"),
    ("E1", "Echo", "Flex Tokens", 100, "2026-03-01", "2026-04-30"),
    ("F1", "Fox", "Flex Tokens", 100, "2026-01-01", "2026-12-31"),
    ("F2", "Fox", "Flex Tokens", 50, "2026-05-01", "2027-04-30"),
    ("G1", "Golf", "Flex Tokens", 10, "2026-01-01", "2026-12-31"),
    ("H1", "Hotel", "Flex Tokens", 500, "2026-02-01", "2027-01-31"),
]
W1_TOKEN_EVENTS = [
    ("M1", "2026-03-10", "move", "P1", "Bolt", "Cargo", None),
    ("MG1", "2026-03-15", "merge", None, "Delta", "Echo", None),
    ("A1", "2026-03-26", "adjustment", "F1", None, None, "25"),
    ("A2", "2026-03-28", "adjustment", "F1", None, None, "-100"),
    ("A3", "2026-03-29", "adjustment", "F2", None, None, "10"),  # F2 starts 05-01
    ("A4", "2026-03-30", "adjustment", "NOPE", None, None, "5"),  # unknown pack
    ("M2", "2026-03-02", "move", "H1", "Golf", "Acme", None),  # H1 is Hotel's
    ("M3", "2026-04-05", "move", "S1", "Acme", "Hotel", None),  # after as_of
]
W1_USAGE = [
    ("Acme", "2025-06-15", "AutoCAD", "2025", "150", "u1"),
    ("Acme", "2026-01-10", "AutoCAD", "2026", "7", "u1"),
    ("Acme", "2026-03-05", "Revit", "2026", "10", "u1"),
    ("Acme", "2026-03-05", "AutoCAD", "2026", "7", "u2"),
    ("Acme", "2026-04-02", "AutoCAD", "2026", "50", "u1"),  # after as_of
    ("Bolt", "2026-02-10", "AutoCAD", "2026", "120", "b1"),
    ("Bolt", "2026-03-10", "AutoCAD", "2026", "5", "b1"),
    ("Cargo", "2026-03-10", "Revit", "2026", "20", "c1"),
    ("Cargo", "2026-03-20", "Revit", "2026", "30", "c1"),
    ("Delta", "2026-02-01", "AutoCAD", "2026", "100", "d1"),
    ("Echo", "2026-03-20", "AutoCAD", "2026", "150", "e1"),
    ("Fox", "2026-03-27", "AutoCAD", "2026", "60", "f1"),
    ("Golf", "2026-02-02", "AutoCAD", "2026", "15", "g1"),
    ("India", "2026-04-10", "AutoCAD", "2026", "5", "i1"),  # after as_of
]

W2_SUBSCRIPTIONS = [
    ("J1", "Juliet", "Flex Tokens", 100, "2026-12-01", "2027-11-30"),
    ("J2", "Juliet", "Flex Tokens", 200, "2027-03-01", "2028-02-29"),
    ("J3", "Juliet", "Flex Tokens", 50, "2027-03-01", None),  # ends 2028-02-29
    ("K1", "Kilo", "Flex Tokens", 100, "2028-03-01", None),  # starts on as_of; ends 2029-02-28
    ("L1", "Lima", "Flex Tokens", 100, "2028-01-01", "2028-12-31"),
    ("MK1", "Mike", "Flex Tokens", 100, "2028-01-01", "2028-12-31"),
]
W2_USAGE = [
    ("Juliet", "2027-11-30", "AutoCAD", "2027", "40", "j1"),
    ("Juliet", "2028-02-29", "AutoCAD", "2028", "70", "j1"),
    ("Kilo", "2028-03-01", "AutoCAD", "2028", "1", "k1"),
    ("Lima", "2028-02-01", "AutoCAD", "2028", "80", "l1"),  # leaves exactly 20 %
    ("Mike", "2028-02-01", "AutoCAD", "2028", "80.5", "m1"),  # leaves 19.5 %
]
# fmt: on


def build(warehouse: Path, as_of: str, run_dir: Path) -> dict[str, dict]:
    """`dbt build` of the ledger marts and everything upstream as of `as_of` (the shared
    dbt_build fixture passes no vars); the run's results by node name."""
    run_dbt(["build", "--select", SELECTOR, "--indirect-selection", "cautious",
             "--target-path", str(run_dir / "target"), "--log-path", str(run_dir / "logs")],
            {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse),
             "FLEXWH_HASH_KEY": "ledger-test-hash-key", "FLEXWH_DATA_DIR": str(run_dir)},
            vars_json=json.dumps({"as_of": as_of}))
    run_results = json.loads((run_dir / "target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[2]: r for r in run_results["results"]}


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS}


def feeds(subscriptions, usage, token_events=None) -> dict:
    raw = {
        "subscriptions": (SUBSCRIPTION_COLUMNS, {1: subscriptions}),
        "usage": (USAGE_COLUMNS, {1: usage}),
    }
    if token_events:
        raw["token_events"] = (EVENT_COLUMNS, {1: token_events})
    return raw


@pytest.fixture(scope="module")
def w1(tmp_path_factory, write_raw):
    """(connection, warehouse file, dbt results, marts after build 1, marts after build 2)"""
    warehouse = tmp_path_factory.mktemp("w1") / "warehouse.duckdb"
    write_raw(warehouse, feeds(W1_SUBSCRIPTIONS, W1_USAGE, W1_TOKEN_EVENTS))
    results = build(warehouse, "2026-03-31", tmp_path_factory.mktemp("dbt"))
    first = snapshot(warehouse)
    build(warehouse, "2026-03-31", tmp_path_factory.mktemp("dbt"))
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con, warehouse, results, first, snapshot(warehouse)
    con.close()


@pytest.fixture(scope="module")
def w2(tmp_path_factory, write_raw):
    warehouse = tmp_path_factory.mktemp("w2") / "warehouse.duckdb"
    write_raw(warehouse, feeds(W2_SUBSCRIPTIONS, W2_USAGE))
    results = build(warehouse, "2028-03-01", tmp_path_factory.mktemp("dbt"))
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con, results
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def failing_rows(con: duckdb.DuckDBPyConnection, result: dict) -> list[tuple]:
    """The rows a dbt test found, by running its compiled SQL on the warehouse."""
    return rows(con, f"select * from ({result['compiled_code']}) as failures order by all")


# --- W1: dim_token_pack --------------------------------------------------------------------


# fmt: off
def test_dim_token_pack(w1):
    con, *_ = w1
    # remaining = seat + adjusted - consumed - expired (upcoming: seat).
    # S0: 150 (2025-06-15) + 7 (2026-01-10) consumed, 200 - 157 = 43 expired on 2026-02-01.
    # S1: 17 of 2026-03-05 (ends before S2). P1: Bolt 20 on 02-10 (after P2's 100, which
    # ends first), Cargo 20 + 30 after the move: 70; M3 (after as_of) leaves S1 with Acme.
    # D1 expired unused in Delta's hands (-50), then merged (0 tokens) into Echo with D2
    # (300 left after Delta's 100) and upcoming D3. E1 100 + D2 50 for Echo's 150 on 03-20.
    # F1: +25 (A1), -60 used, A2 removes the 65 left (of 100): adjusted 25 - 65 = -40.
    # G1: 10 of Golf's 15. H1 unused. S3, D3, F2 upcoming (A3 on F2 not applied).
    assert rows(con, """
        select subscription_id, purchasing_team, current_team, offering_name, seat_quantity,
               tokens_adjusted, start_date, end_date, status, tokens_consumed,
               tokens_remaining, tokens_expired
        from marts.dim_token_pack order by subscription_id
    """) == [
        ("D1", "Delta", "Echo", "Flex Tokens", 50, D(0), date(2025, 1, 1), date(2025, 12, 31),
         "expired", D(0), D(0), D(50)),
        ("D2", "Delta", "Echo", "Flex Tokens", 400, D(0), date(2026, 1, 1), date(2026, 12, 31),
         "active", D(150), D(250), D(0)),
        ("D3", "Delta", "Echo", "Flex Tokens", 200, D(0), date(2026, 6, 1), date(2027, 5, 31),
         "upcoming", D(0), D(200), D(0)),
        ("E1", "Echo", "Echo", "Flex Tokens", 100, D(0), date(2026, 3, 1), date(2026, 4, 30),
         "active", D(100), D(0), D(0)),
        ("F1", "Fox", "Fox", "Flex Tokens", 100, D(-40), date(2026, 1, 1), date(2026, 12, 31),
         "active", D(60), D(0), D(0)),
        ("F2", "Fox", "Fox", "Flex Tokens", 50, D(0), date(2026, 5, 1), date(2027, 4, 30),
         "upcoming", D(0), D(50), D(0)),
        ("G1", "Golf", "Golf", "Flex Tokens", 10, D(0), date(2026, 1, 1), date(2026, 12, 31),
         "active", D(10), D(0), D(0)),
        ("H1", "Hotel", "Hotel", "Flex Tokens", 500, D(0), date(2026, 2, 1), date(2027, 1, 31),
         "active", D(0), D(500), D(0)),
        ("P1", "Bolt", "Cargo", "Flex Tokens", 300, D(0), date(2026, 1, 1), date(2026, 6, 29),
         "active", D(70), D(230), D(0)),
        ("P2", "Bolt", "Bolt", "Flex Tokens", 100, D(0), date(2025, 4, 1), date(2026, 3, 31),
         "active", D(100), D(0), D(0)),
        ("S0", "Acme", "Acme", "Autodesk Flex", 200, D(0), date(2025, 2, 1), date(2026, 1, 31),
         "expired", D(157), D(0), D(43)),
        ("S1", "Acme", "Acme", "Autodesk Flex", 1000, D(0), date(2026, 1, 1),
         date(2026, 12, 31), "active", D(17), D(983), D(0)),
        ("S2", "Acme", "Acme", "Autodesk Flex", 500, D(0), date(2026, 3, 1), date(2027, 2, 28),
         "active", D(0), D(500), D(0)),
        ("S3", "Acme", "Acme", "Autodesk Flex", 300, D(0), date(2026, 4, 1), date(2027, 3, 31),
         "upcoming", D(0), D(300), D(0)),
    ]


# --- W1: fct_token_events --------------------------------------------------------------------

def test_token_events(w1):
    con, *_ = w1
    # Purchases on start dates (upcoming S3, D3, F2: none); expiries dated end + 1 for what
    # was left (S0: 43, D1: 50); P2 ends on as_of: its expiry (of 0) is not due. P1 carries
    # 300 - 20 = 280 to Cargo; the merge carries D2's 400 - 100 = 300 (D1 and D3 hold
    # nothing: no rows). A2 removes only the 65 F1 held. A3, A4, M2, M3: no rows.
    assert rows(con, """
        select team, event_date, event_type, subscription_id, tokens, counterparty_team,
               source_event_id
        from marts.fct_token_events order by team, event_date, event_type, subscription_id
    """) == [
        ("Acme", date(2025, 2, 1), "purchase", "S0", D(200), None, None),
        ("Acme", date(2026, 1, 1), "purchase", "S1", D(1000), None, None),
        ("Acme", date(2026, 2, 1), "expiry", "S0", D(-43), None, None),
        ("Acme", date(2026, 3, 1), "purchase", "S2", D(500), None, None),
        ("Bolt", date(2025, 4, 1), "purchase", "P2", D(100), None, None),
        ("Bolt", date(2026, 1, 1), "purchase", "P1", D(300), None, None),
        ("Bolt", date(2026, 3, 10), "move_out", "P1", D(-280), "Cargo", "M1"),
        ("Cargo", date(2026, 3, 10), "move_in", "P1", D(280), "Bolt", "M1"),
        ("Delta", date(2025, 1, 1), "purchase", "D1", D(50), None, None),
        ("Delta", date(2026, 1, 1), "expiry", "D1", D(-50), None, None),
        ("Delta", date(2026, 1, 1), "purchase", "D2", D(400), None, None),
        ("Delta", date(2026, 3, 15), "merge_out", "D2", D(-300), "Echo", "MG1"),
        ("Echo", date(2026, 3, 1), "purchase", "E1", D(100), None, None),
        ("Echo", date(2026, 3, 15), "merge_in", "D2", D(300), "Delta", "MG1"),
        ("Fox", date(2026, 1, 1), "purchase", "F1", D(100), None, None),
        ("Fox", date(2026, 3, 26), "adjustment", "F1", D(25), None, "A1"),
        ("Fox", date(2026, 3, 28), "adjustment", "F1", D(-65), None, "A2"),
        ("Golf", date(2026, 1, 1), "purchase", "G1", D(10), None, None),
        ("Hotel", date(2026, 2, 1), "purchase", "H1", D(500), None, None),
    ]


def test_event_keys_are_md5_of_type_pack_team_and_source_event(w1):
    con, *_ = w1
    keys = rows(con, """
        select event_key, event_type, subscription_id, team, coalesce(source_event_id, '')
        from marts.fct_token_events
    """)
    # unique, and the md5 of the four parts joined with '|' (NULL as ''), so any build of
    # the same input gives the same keys
    assert len({key for key, *_ in keys}) == len(keys) == 19
    assert all(key == hashlib.md5("|".join(parts).encode()).hexdigest() for key, *parts in keys)


# --- W1: fct_pack_allocation -----------------------------------------------------------------

def test_pack_allocation(w1):
    con, *_ = w1
    # Burn-down, earliest end first: Bolt's 120 on 02-10 = P2 (ends 03-31) 100 + P1 20;
    # Echo's 150 on 03-20 = E1 (ends 04-30) 100 + D2 50. Bolt's 5 on the move day find no
    # pack (P1 is Cargo's from the start of 03-10, P2 is empty): unallocated, no row; Golf's
    # 15 give 10 here and 5 unallocated. Acme's 50 of 04-02 are after as_of.
    assert rows(con, "select * from marts.fct_pack_allocation order by all") == [
        ("Acme", date(2025, 6, 15), "S0", D(150)),
        ("Acme", date(2026, 1, 10), "S0", D(7)),
        ("Acme", date(2026, 3, 5), "S1", D(17)),
        ("Bolt", date(2026, 2, 10), "P1", D(20)),
        ("Bolt", date(2026, 2, 10), "P2", D(100)),
        ("Cargo", date(2026, 3, 10), "P1", D(20)),
        ("Cargo", date(2026, 3, 20), "P1", D(30)),
        ("Delta", date(2026, 2, 1), "D2", D(100)),
        ("Echo", date(2026, 3, 20), "D2", D(50)),
        ("Echo", date(2026, 3, 20), "E1", D(100)),
        ("Fox", date(2026, 3, 27), "F1", D(60)),
        ("Golf", date(2026, 2, 2), "G1", D(10)),
    ]


# --- W1: fct_team_balance_daily --------------------------------------------------------------

def test_team_balance_days_run_from_first_event_or_use_to_as_of(w1):
    con, *_ = w1
    # First token event or use .. 2026-03-31, both ends included. Acme from S0's purchase
    # 2025-02-01: 365 days to 2026-01-31, + 28 + 31 = 424. Bolt from 2025-04-01: 365.
    # Cargo from the move 03-10: 22. Delta from 2025-01-01: 365 + 31 + 28 + 31 = 455.
    # Echo 03-01: 31. Fox, Golf 01-01: 90. Hotel 02-01: 59. India: nothing up to as_of.
    assert rows(con, """
        select team, min(day), max(day), count(*) from marts.fct_team_balance_daily
        group by team order by team
    """) == [
        ("Acme", date(2025, 2, 1), date(2026, 3, 31), 424),
        ("Bolt", date(2025, 4, 1), date(2026, 3, 31), 365),
        ("Cargo", date(2026, 3, 10), date(2026, 3, 31), 22),
        ("Delta", date(2025, 1, 1), date(2026, 3, 31), 455),
        ("Echo", date(2026, 3, 1), date(2026, 3, 31), 31),
        ("Fox", date(2026, 1, 1), date(2026, 3, 31), 90),
        ("Golf", date(2026, 1, 1), date(2026, 3, 31), 90),
        ("Hotel", date(2026, 2, 1), date(2026, 3, 31), 59),
    ]


def test_team_balance_on_days_with_activity_and_on_as_of(w1):
    con, *_ = w1
    # (team, day, consumed, allocated, unallocated, added, removed, available_eod);
    # available(d) = available(d-1) + added - removed - allocated.
    assert rows(con, """
        select * from marts.fct_team_balance_daily
        where tokens_consumed + tokens_added + tokens_removed > 0 or day = '2026-03-31'
        order by team, day
    """) == [
        ("Acme", date(2025, 2, 1), D(0), D(0), D(0), D(200), D(0), D(200)),
        ("Acme", date(2025, 6, 15), D(150), D(150), D(0), D(0), D(0), D(50)),
        ("Acme", date(2026, 1, 1), D(0), D(0), D(0), D(1000), D(0), D(1050)),
        ("Acme", date(2026, 1, 10), D(7), D(7), D(0), D(0), D(0), D(1043)),
        ("Acme", date(2026, 2, 1), D(0), D(0), D(0), D(0), D(43), D(1000)),
        ("Acme", date(2026, 3, 1), D(0), D(0), D(0), D(500), D(0), D(1500)),
        ("Acme", date(2026, 3, 5), D(17), D(17), D(0), D(0), D(0), D(1483)),
        ("Acme", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(1483)),
        ("Bolt", date(2025, 4, 1), D(0), D(0), D(0), D(100), D(0), D(100)),
        ("Bolt", date(2026, 1, 1), D(0), D(0), D(0), D(300), D(0), D(400)),
        ("Bolt", date(2026, 2, 10), D(120), D(120), D(0), D(0), D(0), D(280)),
        ("Bolt", date(2026, 3, 10), D(5), D(0), D(5), D(0), D(280), D(0)),
        ("Bolt", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(0)),
        ("Cargo", date(2026, 3, 10), D(20), D(20), D(0), D(280), D(0), D(260)),
        ("Cargo", date(2026, 3, 20), D(30), D(30), D(0), D(0), D(0), D(230)),
        ("Cargo", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(230)),
        ("Delta", date(2025, 1, 1), D(0), D(0), D(0), D(50), D(0), D(50)),
        ("Delta", date(2026, 1, 1), D(0), D(0), D(0), D(400), D(50), D(400)),
        ("Delta", date(2026, 2, 1), D(100), D(100), D(0), D(0), D(0), D(300)),
        ("Delta", date(2026, 3, 15), D(0), D(0), D(0), D(0), D(300), D(0)),
        ("Delta", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(0)),
        ("Echo", date(2026, 3, 1), D(0), D(0), D(0), D(100), D(0), D(100)),
        ("Echo", date(2026, 3, 15), D(0), D(0), D(0), D(300), D(0), D(400)),
        ("Echo", date(2026, 3, 20), D(150), D(150), D(0), D(0), D(0), D(250)),
        ("Echo", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(250)),
        ("Fox", date(2026, 1, 1), D(0), D(0), D(0), D(100), D(0), D(100)),
        ("Fox", date(2026, 3, 26), D(0), D(0), D(0), D(25), D(0), D(125)),
        ("Fox", date(2026, 3, 27), D(60), D(60), D(0), D(0), D(0), D(65)),
        ("Fox", date(2026, 3, 28), D(0), D(0), D(0), D(0), D(65), D(0)),
        ("Fox", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(0)),
        ("Golf", date(2026, 1, 1), D(0), D(0), D(0), D(10), D(0), D(10)),
        ("Golf", date(2026, 2, 2), D(15), D(10), D(5), D(0), D(0), D(0)),
        ("Golf", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(0)),
        ("Hotel", date(2026, 2, 1), D(0), D(0), D(0), D(500), D(0), D(500)),
        ("Hotel", date(2026, 3, 31), D(0), D(0), D(0), D(0), D(0), D(500)),
    ]
    # the day before a change carries the running balance unchanged
    assert rows(con, """
        select tokens_available_eod from marts.fct_team_balance_daily
        where team = 'Acme' and day in ('2026-01-31', '2026-02-28')
        order by day
    """) == [(D(1043),), (D(1000),)]


# --- W1: rpt_team_overview -------------------------------------------------------------------

def test_team_overview(w1):
    con, *_ = w1
    # (team, available, used_active, total_active, added_7d, removed_7d, events_90d,
    #  unallocated, low_balance, expiring_90d)
    # Acme: (1000 - 17) + 500 = 1483 available; 17 used (S0's 157 do not count: expired);
    #   events in 01-01..03-31: S1 purchase, S0 expiry, S2 purchase = 3.
    # Bolt: holds P2 (active on its end day, as_of), empty: 0 of 100 -> low; P1 left on
    #   03-10; events: P1 purchase (01-01, first day of the window) and move_out = 2;
    #   P2 ends 03-31 <= 06-29 but holds 0.
    # Cargo: received 280 in P1, used 20 + 30 = 50, 230 left, all expiring by 06-29 (P1
    #   ends on 06-29 = as_of + 90, included); 1 event (move_in).
    # Delta: holds nothing after the merge; events: D1 expiry, D2 purchase, merge_out = 3.
    # Echo: E1 0 left (used 100), D2 250 left (used 50): 250 / 400; E1 ends 04-30 with 0.
    # Fox: F1 0 left, used 60 -> low; 7 days: +25 added, 65 removed; 3 events.
    # Golf: G1 0 left of 10 used -> low; 5 unallocated.
    # Hotel: 500 of 500 unused. India: zeros (only usage after as_of).
    assert rows(con, """
        select team, tokens_available, tokens_used_active, tokens_total_active,
               tokens_added_7d, tokens_removed_7d, token_events_90d, tokens_unallocated,
               low_balance, expiring_90d
        from marts.rpt_team_overview order by team
    """) == [
        ("Acme", D(1483), D(17), D(1500), D(0), D(0), 3, D(0), False, D(0)),
        ("Bolt", D(0), D(100), D(100), D(0), D(0), 2, D(5), True, D(0)),
        ("Cargo", D(230), D(50), D(280), D(0), D(0), 1, D(0), False, D(230)),
        ("Delta", D(0), D(0), D(0), D(0), D(0), 3, D(0), False, D(0)),
        ("Echo", D(250), D(150), D(400), D(0), D(0), 2, D(0), False, D(0)),
        ("Fox", D(0), D(60), D(60), D(25), D(65), 3, D(0), True, D(0)),
        ("Golf", D(0), D(10), D(10), D(0), D(0), 1, D(5), True, D(0)),
        ("Hotel", D(500), D(0), D(500), D(0), D(0), 1, D(0), False, D(0)),
        ("India", D(0), D(0), D(0), D(0), D(0), 0, D(0), False, D(0)),
    ]
    assert rows(con, "select distinct as_of_date from marts.rpt_team_overview") == [
        (date(2026, 3, 31),)
    ]


def test_holdings_received_and_used(w1):
    con, *_ = w1
    # metrics.md "Holdings": the buyer receives seat_quantity, a receiver what the pack
    # held at the start of the move date (P1: 300 - 20 = 280; D2: 400 - 100 = 300; D1
    # expired and D3 upcoming: 0); used = what the team drew while holding it.
    assert rows(con, """
        select subscription_id, holding_number, team, acquired_by, source_event_id,
               held_from, held_until, tokens_received, tokens_used
        from intermediate.int_pack_holdings
        where subscription_id in ('P1', 'D1', 'D2', 'D3')
        order by subscription_id, holding_number
    """) == [
        ("D1", 0, "Delta", "purchase", None, date(2025, 1, 1), date(2026, 3, 15), D(50), D(0)),
        ("D1", 1, "Echo", "merge", "MG1", date(2026, 3, 15), None, D(0), D(0)),
        ("D2", 0, "Delta", "purchase", None, date(2026, 1, 1), date(2026, 3, 15), D(400),
         D(100)),
        ("D2", 1, "Echo", "merge", "MG1", date(2026, 3, 15), None, D(300), D(50)),
        # D3 left Delta before it started: the buyer's holding starts and ends that day
        ("D3", 0, "Delta", "purchase", None, date(2026, 3, 15), date(2026, 3, 15), D(0), D(0)),
        ("D3", 1, "Echo", "merge", "MG1", date(2026, 3, 15), None, D(0), D(0)),
        ("P1", 0, "Bolt", "purchase", None, date(2026, 1, 1), date(2026, 3, 10), D(300), D(20)),
        ("P1", 1, "Cargo", "move", "M1", date(2026, 3, 10), None, D(280), D(50)),
    ]


# --- W1: checks ------------------------------------------------------------------------------

ERROR_TESTS = (
    "assert_team_consumption_is_allocated_or_unallocated",
    "assert_pack_tokens_are_conserved",
    "assert_no_pack_holds_negative_tokens",
    "assert_no_team_balance_is_negative",
    "assert_team_balance_matches_overview",
    "assert_team_balance_covers_every_day",
    "assert_allocations_within_pack_days_and_holdings",
    "assert_no_token_event_of_zero_tokens",
)


def test_invariants_pass(w1):
    _, _, results, *_ = w1
    assert {name: results[name]["status"] for name in ERROR_TESTS} == dict.fromkeys(
        ERROR_TESTS, "pass"
    )


def test_warn_unallocated_consumption_names_the_teams(w1):
    con, _, results, *_ = w1
    result = results["assert_no_unallocated_consumption"]
    assert (result["status"], result["failures"]) == ("warn", 2)
    assert failing_rows(con, result) == [
        ("Bolt", date(2026, 3, 10), D(5)),
        ("Golf", date(2026, 2, 2), D(5)),
    ]


def test_warn_adjustment_shortfall_names_team_pack_and_event(w1):
    con, _, results, *_ = w1
    result = results["assert_adjustments_fully_applied"]
    assert (result["status"], result["failures"]) == ("warn", 1)
    # A2 asks for -100 when F1 holds 100 + 25 - 60 = 65: 35 could not be removed
    [(team, sid, event_id, day, tokens, detail)] = failing_rows(con, result)
    assert (team, sid, event_id, day, tokens) == ("Fox", "F1", "A2", date(2026, 3, 28), D(35))
    assert "A2" in detail and "F1" in detail


def test_warn_events_not_applied_name_code_team_pack_and_event(w1):
    con, _, results, *_ = w1
    result = results["assert_token_events_all_applied"]
    assert (result["status"], result["failures"]) == ("warn", 3)
    # M3 (after as_of) is not judged at all
    assert [row[:6] for row in failing_rows(con, result)] == [
        ("adjustment_outside_pack_days", "Fox", "F2", "A3", date(2026, 3, 29), D(10)),
        ("from_team_mismatch", "Hotel", "H1", "M2", date(2026, 3, 2), None),
        ("unknown_pack", None, "NOPE", "A4", date(2026, 3, 30), D(5)),
    ]


# (what breaks, SQL applied to a copy of W1, the check that must fail, a value it names)
BROKEN = [
    ("pack remaining off by 1",
     "update marts.dim_token_pack set tokens_remaining = 984 where subscription_id = 'S1'",
     "assert_pack_tokens_are_conserved", "S1"),
    ("expired pack keeps its tokens",
     "delete from marts.fct_token_events where event_type = 'expiry' and subscription_id = 'S0'",
     "assert_pack_tokens_are_conserved", "S0"),
    ("consumption not allocated",
     "update marts.fct_team_balance_daily set tokens_consumed = 18 "
     "where team = 'Acme' and day = '2026-03-05'",
     "assert_team_consumption_is_allocated_or_unallocated", "Acme"),
    ("allocation row lost",
     "delete from marts.fct_pack_allocation where subscription_id = 'G1'",
     "assert_team_consumption_is_allocated_or_unallocated", "Golf"),
    ("balance day missing",
     "delete from marts.fct_team_balance_daily where team = 'Hotel' and day = '2026-03-01'",
     "assert_team_balance_covers_every_day", "Hotel"),
    ("negative balance",
     "update marts.fct_team_balance_daily set tokens_available_eod = -1 where team = 'Golf'",
     "assert_no_team_balance_is_negative", "Golf"),
    ("overview and balance disagree",
     "update marts.rpt_team_overview set tokens_available = 1 where team = 'India'",
     "assert_team_balance_matches_overview", "India"),
    ("drawn by a team not holding the pack",
     "update marts.fct_pack_allocation set team = 'Bolt' where team = 'Cargo'",
     "assert_allocations_within_pack_days_and_holdings", "P1"),
    ("more drawn than the pack held",
     "update marts.fct_pack_allocation set tokens_allocated = 300 where subscription_id = 'S0' "
     "and day_used = '2025-06-15'",
     "assert_no_pack_holds_negative_tokens", "S0"),
    ("token event of 0",
     "update marts.fct_token_events set tokens = 0 where subscription_id = 'H1'",
     "assert_no_token_event_of_zero_tokens", "H1"),
]


@pytest.mark.parametrize(("sql", "check", "named"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])  # fmt: skip
def test_error_checks_fail_on_broken_marts(w1, tmp_path, sql, check, named):
    _, warehouse, results, *_ = w1
    copy = tmp_path / "warehouse.duckdb"  # same file name: the compiled SQL names the database
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert failing_rows(con, results[check]) == []
        con.execute(sql)
        assert any(named in row for row in failing_rows(con, results[check]))


WARN_TESTS = (
    "assert_no_unallocated_consumption",
    "assert_adjustments_fully_applied",
    "assert_token_events_all_applied",
)


def test_checks_have_their_severity_and_one_asset_each(dbt_manifest):
    # dagster-dbt shows a singular test as a check of its one model, or of the model named
    # by meta.dagster.ref when it reads several (else the check is not shown at all).
    nodes = json.loads(dbt_manifest.read_text())["nodes"].values()
    checks = {n["name"]: n for n in nodes if n["name"] in ERROR_TESTS + WARN_TESTS}
    assert {name: n["config"]["severity"].lower() for name, n in checks.items()} == {
        **dict.fromkeys(ERROR_TESTS, "error"), **dict.fromkeys(WARN_TESTS, "warn")
    }
    for name, node in checks.items():
        parents = [parent.split(".")[-1] for parent in node["depends_on"]["nodes"]]
        ref = node["config"]["meta"].get("dagster", {}).get("ref", {}).get("name")
        assert len(parents) == 1 or ref in parents, name


def test_second_build_gives_identical_marts_and_event_keys(w1):
    *_, first, second = w1
    assert all(first[m] for m in MARTS)
    assert first == second


# --- W2: expiries on a month end and on 2028-02-29, as of 2028-03-01 -------------------------

def test_leap_day_and_month_end_expiries(w2):
    con, _ = w2
    # Juliet: 40 on 2027-11-30 from J1 (ends first): J1 loses 60 on 2027-12-01. On
    # 2028-02-29 the 70 come from J3 (same end as J2, smaller: 50) then J2 (20): J3 is
    # empty (no expiry row), J2 loses 200 - 20 = 180 on 2028-03-01 = as_of. Kilo's K1
    # starts on as_of and gives 1.
    assert rows(con, """
        select team, event_date, event_type, subscription_id, tokens
        from marts.fct_token_events where team in ('Juliet', 'Kilo') order by all
    """) == [
        ("Juliet", date(2026, 12, 1), "purchase", "J1", D(100)),
        ("Juliet", date(2027, 3, 1), "purchase", "J2", D(200)),
        ("Juliet", date(2027, 3, 1), "purchase", "J3", D(50)),
        ("Juliet", date(2027, 12, 1), "expiry", "J1", D(-60)),
        ("Juliet", date(2028, 3, 1), "expiry", "J2", D(-180)),
        ("Kilo", date(2028, 3, 1), "purchase", "K1", D(100)),
    ]
    assert rows(con, """
        select subscription_id, end_date, status, tokens_consumed, tokens_remaining,
               tokens_expired
        from marts.dim_token_pack where current_team in ('Juliet', 'Kilo')
        order by subscription_id
    """) == [
        ("J1", date(2027, 11, 30), "expired", D(40), D(0), D(60)),
        ("J2", date(2028, 2, 29), "expired", D(20), D(0), D(180)),
        ("J3", date(2028, 2, 29), "expired", D(50), D(0), D(0)),  # default end date
        ("K1", date(2029, 2, 28), "active", D(1), D(99), D(0)),
    ]


def test_leap_day_balances_and_overview(w2):
    con, results = w2
    # Juliet: 2026-12-01 .. 2027-11-30 = 365 days, + 31 + 31 + 29 + 1 = 457 rows.
    assert rows(con, """
        select team, count(*), min(day), max(day) from marts.fct_team_balance_daily
        group by team order by team
    """) == [
        ("Juliet", 457, date(2026, 12, 1), date(2028, 3, 1)),
        ("Kilo", 1, date(2028, 3, 1), date(2028, 3, 1)),
        ("Lima", 61, date(2028, 1, 1), date(2028, 3, 1)),  # 31 + 29 + 1
        ("Mike", 61, date(2028, 1, 1), date(2028, 3, 1)),
    ]
    assert rows(con, """
        select team, day, tokens_available_eod from marts.fct_team_balance_daily
        where day in ('2027-11-30', '2027-12-01', '2028-02-28', '2028-02-29', '2028-03-01')
            and team in ('Juliet', 'Kilo')
        order by all
    """) == [
        ("Juliet", date(2027, 11, 30), D(310)),  # 100 + 200 + 50 - 40
        ("Juliet", date(2027, 12, 1), D(250)),  # J1's 60 gone
        ("Juliet", date(2028, 2, 28), D(250)),
        ("Juliet", date(2028, 2, 29), D(180)),  # J2, J3 still count on their end day
        ("Juliet", date(2028, 3, 1), D(0)),
        ("Kilo", date(2028, 3, 1), D(99)),
    ]
    # 7 days: 2028-02-24..03-01 (J2's expiry on as_of); 90 days: 2027-12-03..2028-03-01,
    # so J1's expiry of 2027-12-01 falls out. K1 ends 2029-02-28, after as_of + 90
    # (2028-05-30). low_balance: available < 20 % of total, so 20 of 100 is not low and
    # 19.5 of 100 is.
    assert rows(con, """
        select team, tokens_available, tokens_used_active, tokens_total_active,
               tokens_added_7d, tokens_removed_7d, token_events_90d, low_balance, expiring_90d
        from marts.rpt_team_overview order by team
    """) == [
        ("Juliet", D(0), D(0), D(0), D(0), D(180), 1, False, D(0)),
        ("Kilo", D(99), D(1), D(100), D(100), D(0), 1, False, D(0)),
        ("Lima", D(20), D(80), D(100), D(0), D(0), 1, False, D(0)),
        ("Mike", D("19.5"), D("80.5"), D(100), D(0), D(0), 1, True, D(0)),
    ]
    assert {name: results[name]["status"] for name in ERROR_TESTS} == dict.fromkeys(
        ERROR_TESTS, "pass"
    )
# fmt: on
