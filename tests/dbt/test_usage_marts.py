"""User keys, user identities and the usage marts on hand-written raw rows.

Two dbt builds, run the way the orchestration runs dbt (the environment of
orchestration.resources.dbt_process_environment, the dbt var as_of): one with FLEXWH_HASH_KEY
configured, as of 2026-03-31, and one with the key in the key file of FLEXWH_DATA_DIR, as of
a day later. Expected rows are worked out by hand; user keys are computed here with hmac,
independently of core.user_keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from core.user_keys import hash_key_in_dbt, user_key
from tests.dbt.invoke import run_dbt

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

D = Decimal
AS_OF = date(2026, 3, 31)
CONFIGURED_KEY = "usage-marts-test-key"
FILE_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff"
SELECTOR = "+rpt_daily_usage_365 +int_user_identities"


def key(user_id: str, secret: str = CONFIGURED_KEY) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:40]


# fmt: off
USAGE = (
    ("team", "day_used", "product_name", "version", "tokens_used",
     "autodesk_id", "hashed_autodesk_id", "email", "first_name", "last_name"),
    {
        1: [
            # Acme's first day of use: a zero-token row. A name with only a last name.
            ("Acme", "2025-12-15", "Revit", "", "0", "ADSK-2", None, None, None, "Cher"),
            # (Acme, 2026-03-01) is replaced by file 2; the names of these rows still count.
            ("Acme", "2026-03-01", "AutoCAD", "2026", "10", "ADSK-1", None, "ann@x.com",
             "Ann", "Lee"),
            ("Acme", "2026-03-01", "AutoCAD", "2026", "3", "ADSK-3", None, "eve@x.com",
             "Eve", "Stone"),
            # No name: the e-mail address as delivered; no name and no address: user_key.
            ("Acme", "2026-03-02", "AutoCAD", "2024", "2.5", None, None, "Dan@Example.com",
             None, None),
            ("Acme", "2026-03-02", "AutoCAD", "2024", "1", None, "HASH-7", None, None, None),
            # An address but no name: the name comes from the users feed.
            ("Acme", "2026-03-03", "Inventor", "", "4", "ADSK-4", None, "hal.usage@x.com",
             None, None),
            # Beta (personal data off): a day before the 365-day window, a zero-token row
            # on its first day, and a row on as_of.
            ("Beta", "2025-03-31", "AutoCAD", "2026", "7", "ADSK-1", None, "bea@x.com",
             "Bea", "Lee"),
            ("Beta", "2025-04-01", "AutoCAD", "2026", "0", "ADSK-1", None, None, None, None),
            ("Beta", "2026-03-31", "Revit", "2026", "6.125", "ADSK-5", None, None, "Finn",
             None),
        ],
        2: [
            # Re-delivers (Acme, 2026-03-01): a later e-mail address, no name.
            ("Acme", "2026-03-01", "AutoCAD", "2026", "12", "ADSK-1", None, "Ann.Lee@x.com",
             None, None),
            # After as_of: not in the marts, but its name is the latest (the pair: no last name).
            ("Acme", "2026-04-01", "AutoCAD", "2026", "100", "ADSK-1", None, None, "Annie",
             None),
            # Gamma's only usage is after as_of.
            ("Gamma", "2026-04-05", "Revit", "", "9", "ADSK-6", None, "gus@x.com", "Gus", "Moe"),
        ],
    },
)

USERS = (
    ("team", "autodesk_id", "email", "first_name", "last_name"),
    {1: [
        ("Acme", "ADSK-4", "hal@x.com", "Hal", "Ng"),
        ("Acme", "ADSK-1", "old-ann@x.com", "Old", "Name"),  # the usage rows win
        ("Acme", "ADSK-2", "cher@x.com", None, None),  # an address for a name-only user
        ("Beta", "ADSK-4", "not-acme@x.com", "Wrong", "Team"),  # another team's user
        ("Golf", "ADSK-7", "ivy@x.com", "Ivy", None),  # a team named only by users
    ]},
)

SUBSCRIPTIONS = (
    ("subscription_id", "team", "offering_name", "seat_quantity", "start_date"),
    {1: [("S1", "Delta", "Flex", 100, "2026-01-01")]},
)

TOKEN_EVENTS = (  # columns an event type does not use are NULL in raw
    ("event_id", "event_date", "event_type", "subscription_id", "from_team", "to_team",
     "tokens"),
    {1: [
        ("E1", "2026-02-01", "merge", None, "Echo", "Acme", None),
        ("E2", "2026-02-02", "move", "S1", None, "Foxtrot", None),
        ("E3", "2026-02-03", "adjustment", "S1", None, None, "5"),
    ]},
)

TEAM_SETTINGS = (
    ("team", "pii_enabled"),
    {1: [("Acme", True), ("Beta", False), ("Hotel", True)]},
)

FEEDS = {"usage": USAGE, "users": USERS, "subscriptions": SUBSCRIPTIONS,
         "token_events": TOKEN_EVENTS, "team_settings": TEAM_SETTINGS}
TEAMS = ["Acme", "Beta", "Delta", "Echo", "Foxtrot", "Gamma", "Golf", "Hotel"]
USER_IDS = ["ADSK-1", "ADSK-2", "ADSK-3", "ADSK-4", "ADSK-5", "ADSK-6", "ADSK-7",
            "e:dan@example.com", "h:HASH-7"]
# Every identifier, name and address of the feeds: none may appear in a mart.
PERSONAL = sorted({
    value
    for feed in (USAGE, USERS)
    for rows in feed[1].values()
    for row in rows
    for column, value in zip(feed[0], row, strict=True)
    if value and column in ("autodesk_id", "hashed_autodesk_id", "email", "first_name",
                            "last_name")
} | {"e:dan@example.com", "h:HASH-7", "@"})
# fmt: on


def build_as_orchestrated(warehouse: Path, data_dir: Path, as_of: date) -> dict[str, str]:
    """`dbt build` with the environment, target and log folders the orchestration gives dbt
    (orchestration/assets/dbt.py); returns that environment."""
    from orchestration.resources import dbt_process_environment

    values = {"FLEXWH_WAREHOUSE": str(warehouse), "FLEXWH_DATA_DIR": str(data_dir)}
    with dbt_process_environment(values):
        env = dict(os.environ)
    run_dbt(["build", "--select", SELECTOR, "--target-path", str(data_dir / "dbt" / "target"),
             "--log-path", str(data_dir / "logs")],
            env, vars_json=json.dumps({"as_of": as_of.isoformat()}))
    return env


class Build:
    def __init__(self, root: Path, env: dict[str, str], con: duckdb.DuckDBPyConnection):
        self.root, self.env, self.con = root, env, con

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()


def build(tmp_path_factory, write_raw, as_of: date, configured_key: str | None) -> Iterator[Build]:
    root = tmp_path_factory.mktemp("usage_marts")
    data_dir = root / "data"
    data_dir.mkdir()
    write_raw(root / "warehouse.duckdb", FEEDS)
    with pytest.MonkeyPatch.context() as monkeypatch:
        if configured_key:
            monkeypatch.setenv("FLEXWH_HASH_KEY", configured_key)
        else:
            monkeypatch.delenv("FLEXWH_HASH_KEY", raising=False)
            (data_dir / ".hash_key").write_text(FILE_KEY + "\n")
        env = build_as_orchestrated(root / "warehouse.duckdb", data_dir, as_of)
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    yield Build(root, env, con)
    con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory, write_raw) -> Iterator[Build]:
    yield from build(tmp_path_factory, write_raw, AS_OF, CONFIGURED_KEY)


@pytest.fixture(scope="module")
def built_from_key_file(tmp_path_factory, write_raw) -> Iterator[Build]:
    yield from build(tmp_path_factory, write_raw, AS_OF + timedelta(days=1), None)


def files_holding(root: Path, secret: str) -> dict[Path, bool]:
    """Every file under root (warehouse, dbt target and logs), and whether it holds secret."""
    return {p: secret.encode() in p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_user_key_matches_the_test_vector_of_metrics_md():
    assert user_key("example-key", "ADSK-0001") == "17f8a8b08c04ee69ac7092aa885e9438e4c7f256"
    # The key is text as configured: a hex-looking key is not decoded.
    assert user_key("00ff", "u") == key("u", "00ff") != hmac.new(
        bytes.fromhex("00ff"), b"u", hashlib.sha256).hexdigest()[:40]


def test_the_dbt_process_reads_the_secret_else_the_variable_else_the_key_file(
    tmp_path, monkeypatch
):
    data = {"FLEXWH_DATA_DIR": str(tmp_path)}
    k1, k2, k3, k4 = (f"key-{n}-0123456789abcdef" for n in range(1, 5))
    assert hash_key_in_dbt({**data, "DBT_ENV_SECRET_FLEXWH_HASH_KEY": k1}) == k1
    assert hash_key_in_dbt({**data, "FLEXWH_HASH_KEY": k2}) == k2
    (tmp_path / ".hash_key").write_text(k3 + "\n")
    assert hash_key_in_dbt(data) == k3
    # A hand-run dbt without FLEXWH_DATA_DIR (cwd dbt_project/) uses ../data, as profiles.yml.
    (tmp_path / "dbt_project").mkdir()
    monkeypatch.chdir(tmp_path / "dbt_project")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / ".hash_key").write_text(k4 + "\n")
    assert hash_key_in_dbt({}) == k4


def test_user_keys_are_the_hmac_of_every_user_id_with_the_configured_key(built):
    assert built.rows("select user_id, user_key from intermediate.int_user_keys "
                      "order by user_id") == [(u, key(u)) for u in USER_IDS]


def test_the_key_reaches_dbt_only_as_a_dbt_secret_and_no_file_dbt_writes(built):
    assert "FLEXWH_HASH_KEY" not in built.env
    assert built.env["DBT_ENV_SECRET_FLEXWH_HASH_KEY"] == CONFIGURED_KEY
    assert not (built.root / "data" / ".hash_key").exists()  # the configured key was used
    written = files_holding(built.root, CONFIGURED_KEY)
    names = {p.name for p in written}
    assert {"manifest.json", "run_results.json", "dbt.log", "int_user_keys.py",
            "warehouse.duckdb"} <= names
    assert [p for p, holds_key in written.items() if holds_key] == []


def test_the_key_file_is_used_when_no_key_is_configured(built_from_key_file):
    assert "DBT_ENV_SECRET_FLEXWH_HASH_KEY" not in built_from_key_file.env
    assert built_from_key_file.rows(
        "select user_id, user_key from intermediate.int_user_keys order by user_id"
    ) == [(u, key(u, FILE_KEY)) for u in USER_IDS]
    written = files_holding(built_from_key_file.root, FILE_KEY)
    assert [p.name for p, holds_key in written.items() if holds_key] == [".hash_key"]


# fmt: off
def test_identities_name_rules_and_personal_data_setting(built):
    assert built.rows("""
        select team, user_id, user_key, pii_enabled, first_name, last_name, email,
               user_name, user_email
        from intermediate.int_user_identities
        order by team, user_id
    """) == [
        # The latest pair (Annie, NULL) from a row after as_of; the latest address of a
        # re-delivered row; the users feed loses to usage values.
        ("Acme", "ADSK-1", key("ADSK-1"), True, "Annie", None, "Ann.Lee@x.com",
         "Annie", "Ann.Lee@x.com"),
        # One part shows alone; the address from the users feed.
        ("Acme", "ADSK-2", key("ADSK-2"), True, None, "Cher", "cher@x.com",
         "Cher", "cher@x.com"),
        # Only in rows a later file replaced.
        ("Acme", "ADSK-3", key("ADSK-3"), True, "Eve", "Stone", "eve@x.com",
         "Eve Stone", "eve@x.com"),
        # Name from the users feed, address from usage.
        ("Acme", "ADSK-4", key("ADSK-4"), True, "Hal", "Ng", "hal.usage@x.com",
         "Hal Ng", "hal.usage@x.com"),
        ("Acme", "e:dan@example.com", key("e:dan@example.com"), True, None, None,
         "Dan@Example.com", "Dan@Example.com", "Dan@Example.com"),
        ("Acme", "h:HASH-7", key("h:HASH-7"), True, None, None, None,
         key("h:HASH-7"), None),
        # Personal data off (a settings row, or none): user_key and '*****'.
        ("Beta", "ADSK-1", key("ADSK-1"), False, "Bea", "Lee", "bea@x.com",
         key("ADSK-1"), "*****"),
        ("Beta", "ADSK-4", key("ADSK-4"), False, "Wrong", "Team", "not-acme@x.com",
         key("ADSK-4"), "*****"),
        ("Beta", "ADSK-5", key("ADSK-5"), False, "Finn", None, None, key("ADSK-5"), "*****"),
        ("Gamma", "ADSK-6", key("ADSK-6"), False, "Gus", "Moe", "gus@x.com",
         key("ADSK-6"), "*****"),
        ("Golf", "ADSK-7", key("ADSK-7"), False, "Ivy", None, "ivy@x.com",
         key("ADSK-7"), "*****"),
    ]


def test_daily_usage_fact_is_staged_usage_up_to_as_of_by_user_key(built):
    # The replaced (Acme, 2026-03-01) rows and the rows after as_of are not there.
    assert sorted(built.rows("select * from marts.fct_daily_usage")) == sorted([
        ("Acme", date(2025, 12, 15), key("ADSK-2"), "Revit", "", D("0.000")),
        ("Acme", date(2026, 3, 1), key("ADSK-1"), "AutoCAD", "2026", D("12.000")),
        ("Acme", date(2026, 3, 2), key("e:dan@example.com"), "AutoCAD", "2024", D("2.500")),
        ("Acme", date(2026, 3, 2), key("h:HASH-7"), "AutoCAD", "2024", D("1.000")),
        ("Acme", date(2026, 3, 3), key("ADSK-4"), "Inventor", "", D("4.000")),
        ("Beta", date(2025, 3, 31), key("ADSK-1"), "AutoCAD", "2026", D("7.000")),
        ("Beta", date(2025, 4, 1), key("ADSK-1"), "AutoCAD", "2026", D("0.000")),
        ("Beta", date(2026, 3, 31), key("ADSK-5"), "Revit", "2026", D("6.125")),
    ])


def test_dim_team_has_every_team_of_every_feed_and_its_usage_days(built):
    assert built.rows("select * from marts.dim_team order by team") == [
        ("Acme", True, date(2025, 12, 15), date(2026, 3, 3)),  # zero-token first day
        ("Beta", False, date(2025, 3, 31), date(2026, 3, 31)),
        ("Delta", False, None, None),  # subscriptions
        ("Echo", False, None, None),  # from_team of a merge
        ("Foxtrot", False, None, None),  # to_team of a move
        ("Gamma", False, None, None),  # usage only after as_of
        ("Golf", False, None, None),  # users
        ("Hotel", True, None, None),  # team settings
    ]


def test_daily_usage_365_has_every_team_on_every_day_of_the_window(built):
    assert built.rows("""
        select team, count(*), count(distinct day), min(day), max(day), sum(tokens_used)
        from marts.rpt_daily_usage_365 group by team order by team
    """) == [
        (team, 365, 365, date(2025, 4, 1), AS_OF,
         {"Acme": D("19.500"), "Beta": D("6.125")}.get(team, D("0.000")))
        for team in TEAMS
    ]
    assert built.rows("""
        select team, day, tokens_used from marts.rpt_daily_usage_365
        where (team, day) in (('Acme', '2026-03-02'), ('Acme', '2026-03-04'),
                              ('Beta', '2025-04-01'), ('Beta', '2026-03-31'))
        order by team, day
    """) == [
        ("Acme", date(2026, 3, 2), D("3.500")),  # two users' rows summed
        ("Acme", date(2026, 3, 4), D("0.000")),  # no use
        ("Beta", date(2025, 4, 1), D("0.000")),  # a zero-token row on the first day
        ("Beta", date(2026, 3, 31), D("6.125")),
    ]


def test_a_later_as_of_takes_in_the_next_day_and_moves_the_window(built_from_key_file):
    b = built_from_key_file
    assert b.rows("select team, first_usage_day, last_usage_day from marts.dim_team "
                  "where team = 'Acme'") == [("Acme", date(2025, 12, 15), date(2026, 4, 1))]
    assert b.rows("""
        select team, count(*), min(day), max(day), sum(tokens_used)
        from marts.rpt_daily_usage_365 where team in ('Acme', 'Beta')
        group by team order by team
    """) == [
        ("Acme", 365, date(2025, 4, 2), date(2026, 4, 1), D("119.500")),
        ("Beta", 365, date(2025, 4, 2), date(2026, 4, 1), D("6.125")),
    ]
# fmt: on


MART_COLUMNS = {
    "fct_daily_usage": [
        ("team", "VARCHAR"), ("day_used", "DATE"), ("user_key", "VARCHAR"),
        ("product_name", "VARCHAR"), ("version", "VARCHAR"), ("tokens_used", "DECIMAL(18,3)"),
    ],
    "dim_team": [
        ("team", "VARCHAR"), ("pii_enabled", "BOOLEAN"), ("first_usage_day", "DATE"),
        ("last_usage_day", "DATE"),
    ],
    "rpt_daily_usage_365": [
        ("team", "VARCHAR"), ("day", "DATE"), ("tokens_used", "DECIMAL(18,3)"),
    ],
}  # fmt: skip


def test_marts_have_the_columns_of_the_contract(built):
    for table, columns in MART_COLUMNS.items():
        assert built.rows(f"select column_name, data_type from information_schema.columns "
                          f"where table_schema = 'marts' and table_name = '{table}' "
                          f"order by ordinal_position") == columns


def test_no_mart_holds_an_identifier_name_or_e_mail_address(built):
    text_columns = built.rows("""
        select table_name, column_name from information_schema.columns
        where table_schema = 'marts' and data_type = 'VARCHAR'
    """)
    assert {table for table, _ in text_columns} == set(MART_COLUMNS)
    found = [
        (table, column, value)
        for table, column in text_columns
        for (value,) in built.rows(f'select distinct "{column}" from marts."{table}"')
        if value and any(personal in value for personal in PERSONAL)
    ]
    assert found == []
