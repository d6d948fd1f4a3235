"""Staging models on hand-written raw rows: summing, re-delivery, latest-wins, defaults.

One warehouse holds every case (teams and keys kept apart), so the module runs two dbt
builds: that one and one on an empty raw schema. Expected rows are worked out by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

D = Decimal

# fmt: off
USAGE = (
    ("team", "day_used", "product_name", "version", "tokens_used",
     "autodesk_id", "hashed_autodesk_id", "email", "first_name", "last_name"),
    {
        1: [
            # rows 2, 3: one key twice in a file: summed. File 2 then re-delivers
            # (Acme, 01-10): all three rows go, row 4 too although file 2 lacks its key.
            ("Acme", "2026-01-10", "AutoCAD", "2026", "5", "U1", "HU1", None, None, None),
            ("Acme", "2026-01-10", "AutoCAD", "2026", "2.5", "U1", None, None, None, None),
            ("Acme", "2026-01-10", "Revit", "", "3", None, "H2", None, None, None),
            # rows 5-7: another Acme day, not in file 2: kept. Identity values are the
            # latest non-empty ones of the summed rows; 'h:' for a hashed ID only.
            ("Acme", "2026-01-11", "AutoCAD", "2026", "4", "U1", "HU1", None, "Ann", "Lee"),
            ("Acme", "2026-01-11", "AutoCAD", "2026", "0.5", "U1", None, "Ann@X.com", None, None),
            ("Acme", "2026-01-11", "Revit", "", "2", None, "HX9", "hx9@x.com", None, None),
            # rows 8, 9: Beta on the day file 2 replaces for Acme: kept ('e:' + lower-cased
            # e-mail; names as a pair from the latest row with a name).
            ("Beta", "2026-01-10", "AutoCAD", "2026", "6", None, None, "Bob@Example.COM",
             "Bob", "Builder"),
            ("Beta", "2026-01-10", "AutoCAD", "2026", "1.25", None, None, "bob@example.com",
             None, "Smith"),
        ],
        2: [
            ("Acme", "2026-01-10", "AutoCAD", "2026", "1", "U1", None, None, None, None),
            ("Acme", "2026-01-10", "Inventor", "", "0", "U3", None, None, None, None),
            ("Beta", "2026-01-12", "AutoCAD", "2026", "3", None, None, "BOB@example.com",
             None, None),
        ],
    },
)

SUBSCRIPTIONS = (
    ("subscription_id", "team", "offering_name", "seat_quantity", "start_date", "end_date",
     "subscription_status"),
    {
        1: [
            ("S2", "Acme", "Flex-Tokens", 500, "2028-02-29", None, None),
            ("S3", "Beta", "Reflex Suite", 10, "2026-01-31", None, None),
            ("S3", "Beta", "Flex_Tokens", 20, "2026-01-31", None, None),  # later row wins
            ("S1", "Acme", "Autodesk Flex", 1000, "2026-01-01", "2026-06-30", None),
        ],
        2: [
            # a later file wins over a greater row number, end_date included
            ("S1", "Acme", "Autodesk Flex", 1200, "2026-01-01", None, "Active"),
            ("S4", "Beta", "Flex2000", 5, "2026-03-15", "2026-09-30", None),
        ],
    },
)

USERS = (
    ("team", "autodesk_id", "email", "role"),
    {
        1: [
            ("Acme", "U1", "ann@x.com", "User"),
            ("Acme", None, "Bob@X.com", "User"),
            ("Acme", None, "bob@x.com", "Admin"),  # same user: later row wins
            ("Beta", "U1", None, "Viewer"),  # another team: another user
        ],
        2: [("Acme", "U1", "ann@x.com", "Admin")],
    },
)

TOKEN_EVENTS = (
    ("event_id", "event_date", "event_type", "subscription_id", "to_team", "tokens", "reason"),
    {
        1: [
            ("E1", "2026-02-01", "move", "S1", "Beta", None, None),
            ("E2", "2026-01-15", "adjustment", "S1", None, "50", None),
            ("E2", "2026-01-15", "adjustment", "S1", None, "-20", "fix"),
        ],
        2: [("E1", "2026-02-02", "move", "S1", "Gamma", None, None)],
    },
)

TEAM_SETTINGS = (
    ("team", "pii_enabled"),
    {
        1: [("Acme", True), ("Beta", True), ("Beta", False)],
        2: [("Acme", False)],
    },
)
# fmt: on


@pytest.fixture(scope="module")
def staged(tmp_path_factory, write_raw, dbt_build):
    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    write_raw(
        warehouse,
        {
            "usage": USAGE,
            "subscriptions": SUBSCRIPTIONS,
            "users": USERS,
            "token_events": TOKEN_EVENTS,
            "team_settings": TEAM_SETTINGS,
        },
    )
    dbt_build(warehouse, "staging")
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


# fmt: off
def test_usage_sums_one_file_and_the_latest_file_owns_each_team_day(staged):
    assert rows(staged, """
        select team, day_used, delivered_user_id, product_name, version, tokens_used,
               _file_seq, _row_number
        from staging.stg_autodesk__usage
        order by team, day_used, delivered_user_id, product_name
    """) == [
        ("Acme", date(2026, 1, 10), "U1", "AutoCAD", "2026", D("1.000"), 2, 2),
        ("Acme", date(2026, 1, 10), "U3", "Inventor", "", D("0.000"), 2, 3),
        ("Acme", date(2026, 1, 11), "U1", "AutoCAD", "2026", D("4.500"), 1, 6),
        ("Acme", date(2026, 1, 11), "h:HX9", "Revit", "", D("2.000"), 1, 7),
        ("Beta", date(2026, 1, 10), "e:bob@example.com", "AutoCAD", "2026", D("7.250"), 1, 9),
        ("Beta", date(2026, 1, 12), "e:bob@example.com", "AutoCAD", "2026", D("3.000"), 2, 4),
    ]


def test_usage_keeps_the_latest_non_empty_identity_and_name_pair(staged):
    assert rows(staged, """
        select team, day_used, delivered_user_id, autodesk_id, hashed_autodesk_id, email,
               first_name, last_name
        from staging.stg_autodesk__usage
        where product_name = 'AutoCAD' and day_used <= '2026-01-11'
        order by team, day_used
    """) == [
        ("Acme", date(2026, 1, 10), "U1", "U1", None, None, None, None),
        ("Acme", date(2026, 1, 11), "U1", "U1", "HU1", "Ann@X.com", "Ann", "Lee"),
        ("Beta", date(2026, 1, 10), "e:bob@example.com", None, None, "bob@example.com",
         None, "Smith"),
    ]


def test_subscriptions_latest_row_default_end_date_and_token_pack(staged):
    assert rows(staged, """
        select subscription_id, team, offering_name, seat_quantity, start_date, end_date,
               end_date_delivered, is_token_pack, subscription_status, _file_seq, _row_number
        from staging.stg_autodesk__subscriptions
        order by subscription_id
    """) == [
        ("S1", "Acme", "Autodesk Flex", 1200, date(2026, 1, 1), date(2026, 12, 31), None,
         True, "Active", 2, 2),
        ("S2", "Acme", "Flex-Tokens", 500, date(2028, 2, 29), date(2029, 2, 27), None,
         True, None, 1, 2),
        ("S3", "Beta", "Flex_Tokens", 20, date(2026, 1, 31), date(2027, 1, 30), None,
         False, None, 1, 4),
        ("S4", "Beta", "Flex2000", 5, date(2026, 3, 15), date(2026, 9, 30), date(2026, 9, 30),
         False, None, 2, 3),
    ]


def test_users_latest_row_per_team_and_user_id(staged):
    assert rows(staged, """
        select team, delivered_user_id, autodesk_id, email, role, _file_seq, _row_number
        from staging.stg_autodesk__users
        order by team, delivered_user_id
    """) == [
        ("Acme", "U1", "U1", "ann@x.com", "Admin", 2, 2),
        ("Acme", "e:bob@x.com", None, "bob@x.com", "Admin", 1, 4),
        ("Beta", "U1", "U1", None, "Viewer", 1, 5),
    ]


def test_token_events_latest_row_per_event_id(staged):
    assert rows(staged, """
        select event_id, event_date, event_type, subscription_id, to_team, tokens, reason,
               _file_seq, _row_number
        from staging.stg_autodesk__token_events
        order by event_id
    """) == [
        ("E1", date(2026, 2, 2), "move", "S1", "Gamma", None, None, 2, 2),
        ("E2", date(2026, 1, 15), "adjustment", "S1", None, D("-20.000"), "fix", 1, 4),
    ]


def test_team_settings_latest_row_per_team(staged):
    assert rows(staged, """
        select team, pii_enabled, _file_seq, _row_number
        from staging.stg_autodesk__team_settings
        order by team
    """) == [
        ("Acme", False, 2, 2),
        ("Beta", False, 1, 4),
    ]
# fmt: on


STAGING_MODELS = (
    "base_autodesk__usage",
    "stg_autodesk__usage",
    "stg_autodesk__subscriptions",
    "stg_autodesk__users",
    "stg_autodesk__token_events",
    "stg_autodesk__team_settings",
)


def test_staging_builds_on_an_empty_raw_schema(tmp_path: Path, write_raw, dbt_build):
    warehouse = tmp_path / "warehouse.duckdb"
    write_raw(warehouse, {})
    dbt_build(warehouse, "staging")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = {
            model: rows(con, f"select count(*) from staging.{model}")[0][0]
            for model in STAGING_MODELS
        }
    finally:
        con.close()
    assert counts == dict.fromkeys(STAGING_MODELS, 0)
