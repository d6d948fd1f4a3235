"""One person, one user (feeds.md, "User identity"), on hand-written raw rows.

Acme (personal data on) delivers usage under both kinds of export: file 1 (pre-2026 layout)
carries Autodesk IDs and e-mails, file 2 (2026 layout) e-mails only. Ann is linked by a
usage row alone (no users row); shared@x.com belongs to ADSK-2 and ADSK-3 (ambiguous);
cy@x.com is linked by no row until a users file delivered in a later run (file 5) gives
ADSK-5. Hash (personal data off) delivers hashed IDs only. Expected rows are worked out
by hand; user keys are computed here with hmac, independently of core.user_keys.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.identity_checks import ambiguity_text, emails_resolve_to_one_autodesk_id
from orchestration.resources import WarehouseResource
from tests.dbt.test_incremental import assert_same_tables, copy, dbt_build, key

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

D = Decimal
USAGE_COLUMNS = ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id",
                 "hashed_autodesk_id", "email", "first_name", "last_name")
USERS_COLUMNS = ("team", "autodesk_id", "email", "first_name", "last_name", "role")

# fmt: off
FILE_1 = [  # Token usage export before 2026: Autodesk ID and e-mail
    ("Acme", "2026-03-01", "AutoCAD", "2026", "10", "ADSK-1", None, "Ann@X.com", "Ann", "Lee"),
    ("Acme", "2026-03-01", "Revit", "2026", "4", "ADSK-2", None, "shared@x.com", None, None),
    ("Acme", "2026-03-01", "Revit", "2026", "6", "ADSK-3", None, "Shared@x.com", None, None),
    ("Hash", "2026-03-01", "Maya", "2026", "5", None, "H1", None, None, None),
]
FILE_2 = [  # the 2026 export: e-mail only (and one row of Ann's under her ID)
    ("Acme", "2026-03-02", "AutoCAD", "2026", "7", None, None, "ann@x.com", "Ann", "Lee"),
    ("Acme", "2026-03-02", "AutoCAD", "2026", "3", "ADSK-1", None, None, None, None),
    ("Acme", "2026-03-02", "Revit", "2026", "2", None, None, "SHARED@x.com", None, None),
    ("Acme", "2026-03-02", "Inventor", "2026", "1", None, None, "cy@x.com", None, None),
    # A hashed ID with Ann's e-mail resolves to her; the same hashed ID without one does not.
    ("Acme", "2026-03-02", "Maya", "2026", "5", None, "H9", "ann@x.com", None, None),
    ("Acme", "2026-03-02", "Maya", "2026", "3", None, "H9", None, None, None),
    ("Hash", "2026-03-02", "Maya", "2026", "5", None, "H1", None, None, None),
    ("Hash", "2026-03-02", "Maya", "2026", "1", None, "H2", None, None, None),
]
USERS_3 = [
    ("Acme", "ADSK-2", "shared@x.com", "Sam", "Two", "User"),
    ("Acme", "ADSK-3", "shared@x.com", "Sam", "Three", "User"),
    ("Acme", None, "eve@x.com", "Eve", "Ng", "User"),
]
FILE_4 = [("Acme", "2026-03-03", "Inventor", "2026", "2", None, None, "cy@x.com", None, None)]
USERS_5 = [("Acme", "ADSK-5", "Cy@X.com", "Cy", "Young", "User")]
# fmt: on
TEAM_SETTINGS = (("team", "pii_enabled"), {1: [("Acme", True), ("Hash", False)]})
SUBSCRIPTIONS = (
    ("subscription_id", "team", "offering_name", "seat_quantity", "start_date"),
    {1: [("S1", "Acme", "Flex", 1000, "2026-01-01"), ("S2", "Hash", "Flex", 100, "2026-01-01")]},
)


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def daily_usage(warehouse: Path) -> list[tuple]:
    return rows(warehouse, """
        select team, day_used, user_key, product_name, tokens_used from marts.fct_daily_usage
        order by team, day_used, product_name, tokens_used
    """)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, write_raw) -> Path:
    """Usage files 1-2 and users file 3, built as of 2026-03-03."""
    warehouse = tmp_path_factory.mktemp("identity") / "first" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    write_raw(warehouse, {
        "usage": (USAGE_COLUMNS, {1: FILE_1, 2: FILE_2}),
        "users": (USERS_COLUMNS, {3: USERS_3}),
        "team_settings": TEAM_SETTINGS, "subscriptions": SUBSCRIPTIONS,
    })
    dbt_build(warehouse, "2026-03-03")
    return warehouse


@pytest.fixture(scope="module")
def delivered(first_run, write_raw) -> Path:
    """The first run plus usage file 4 and the late users file 5, not built."""
    warehouse = copy(first_run, "delivered")
    write_raw(warehouse, {"usage": (USAGE_COLUMNS, {4: FILE_4}),
                          "users": (USERS_COLUMNS, {5: USERS_5})})
    return warehouse


@pytest.fixture(scope="module")
def incremental(delivered) -> Path:
    warehouse = copy(delivered, "incremental")
    dbt_build(warehouse, "2026-03-03")
    return warehouse


@pytest.fixture(scope="module")
def full(delivered) -> Path:
    warehouse = copy(delivered, "full")
    dbt_build(warehouse, "2026-03-03", full_refresh=True)
    return warehouse


# fmt: off
def test_a_person_under_an_id_and_under_an_e_mail_is_one_user(first_run):
    assert daily_usage(first_run) == sorted([
        ("Acme", date(2026, 3, 1), key("ADSK-1"), "AutoCAD", D("10.000")),
        ("Acme", date(2026, 3, 1), key("ADSK-2"), "Revit", D("4.000")),
        ("Acme", date(2026, 3, 1), key("ADSK-3"), "Revit", D("6.000")),
        # Ann's e-mail-only row (7) and her ID row (3) of one day: one user, summed. Her
        # e-mail is linked by a usage row alone (file 1): she has no users row.
        ("Acme", date(2026, 3, 2), key("ADSK-1"), "AutoCAD", D("10.000")),
        # shared@x.com belongs to two IDs: not resolved, a user of its own.
        ("Acme", date(2026, 3, 2), key("e:shared@x.com"), "Revit", D("2.000")),
        # cy@x.com belongs to no ID yet.
        ("Acme", date(2026, 3, 2), key("e:cy@x.com"), "Inventor", D("1.000")),
        ("Acme", date(2026, 3, 2), key("h:H9"), "Maya", D("3.000")),
        ("Acme", date(2026, 3, 2), key("ADSK-1"), "Maya", D("5.000")),
        # The hashed-only team is unchanged.
        ("Hash", date(2026, 3, 1), key("h:H1"), "Maya", D("5.000")),
        ("Hash", date(2026, 3, 2), key("h:H2"), "Maya", D("1.000")),
        ("Hash", date(2026, 3, 2), key("h:H1"), "Maya", D("5.000")),
    ], key=lambda row: (row[0], row[1], row[3], row[4]))


def test_identities_merge_names_and_e_mails_across_exports(first_run):
    assert rows(first_run, """
        select team, user_id, user_key, first_name, last_name, email, user_name, user_email
        from intermediate.int_user_identities order by team, user_id
    """) == [
        # Ann: the latest e-mail and name of her rows under either identity (file 2).
        ("Acme", "ADSK-1", key("ADSK-1"), "Ann", "Lee", "ann@x.com", "Ann Lee", "ann@x.com"),
        # No name in usage: the users row of the same ID.
        ("Acme", "ADSK-2", key("ADSK-2"), "Sam", "Two", "shared@x.com", "Sam Two",
         "shared@x.com"),
        ("Acme", "ADSK-3", key("ADSK-3"), "Sam", "Three", "Shared@x.com", "Sam Three",
         "Shared@x.com"),
        ("Acme", "e:cy@x.com", key("e:cy@x.com"), None, None, "cy@x.com", "cy@x.com",
         "cy@x.com"),
        # A users row with an e-mail only, linked to no ID: a user of its own.
        ("Acme", "e:eve@x.com", key("e:eve@x.com"), "Eve", "Ng", "eve@x.com", "Eve Ng",
         "eve@x.com"),
        ("Acme", "e:shared@x.com", key("e:shared@x.com"), None, None, "SHARED@x.com",
         "SHARED@x.com", "SHARED@x.com"),
        ("Acme", "h:H9", key("h:H9"), None, None, None, key("h:H9"), None),
        ("Hash", "h:H1", key("h:H1"), None, None, None, key("h:H1"), "*****"),
        ("Hash", "h:H2", key("h:H2"), None, None, None, key("h:H2"), "*****"),
    ]


def test_user_counts_count_people(first_run):
    # Acme: ADSK-1, ADSK-2, ADSK-3, e:shared, e:cy, h:H9 (Ann once, not three times);
    # Hash: H1, H2.
    assert rows(first_run, """
        select team, total_users from marts.rpt_usage_summary
        where window_key = 'last_30_days' order by team
    """) == [("Acme", 6), ("Hash", 2)]
# fmt: on


def test_ambiguous_e_mails_are_counted_per_team_and_warned(first_run, monkeypatch):
    assert rows(first_run, """
        select team, email, autodesk_id_count, autodesk_id from intermediate.int_email_autodesk_ids
        order by team, email
    """) == [("Acme", "ann@x.com", 1, "ADSK-1"), ("Acme", "shared@x.com", 2, None)]
    monkeypatch.setenv("FLEXWH_WAREHOUSE", str(first_run))
    monkeypatch.setenv("FLEXWH_DATA_DIR", str(first_run.parent))
    result = emails_resolve_to_one_autodesk_id(warehouse=WarehouseResource())
    assert (result.passed, result.severity.value, result.description) == (
        False, "WARN", "e-mails of several Autodesk IDs, usage under them not resolved: Acme 1")
    assert "shared" not in str(result.metadata)  # the check names no address


def test_a_late_users_file_merges_earlier_usage_incrementally(incremental, full):
    # cy@x.com now belongs to ADSK-5: its usage of 03-02 (an earlier file) and 03-03 moves
    # to ADSK-5's key, and e:cy@x.com is no user any more.
    assert [row for row in daily_usage(incremental) if row[3] == "Inventor"] == [
        ("Acme", date(2026, 3, 2), key("ADSK-5"), "Inventor", D("1.000")),
        ("Acme", date(2026, 3, 3), key("ADSK-5"), "Inventor", D("2.000")),
    ]
    assert rows(incremental, """
        select user_id, user_name, email from intermediate.int_user_identities
        where user_id in ('ADSK-5', 'e:cy@x.com')
    """) == [("ADSK-5", "Cy Young", "cy@x.com")]
    assert_same_tables(incremental, full)



def test_the_warning_names_the_teams_with_the_most_ambiguous_e_mails_first():
    teams = [(f"Team {n:02}", 1) for n in range(12)] + [("Zed", 3)]
    assert ambiguity_text(teams) == (
        "e-mails of several Autodesk IDs, usage under them not resolved: Zed 3, Team 00 1, "
        "Team 01 1, Team 02 1, Team 03 1, Team 04 1, Team 05 1, Team 06 1, Team 07 1, "
        "Team 08 1 and 3 more teams")
