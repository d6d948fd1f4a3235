"""Incremental runs of the usage chain (operations.md "Incremental runs", docs/incremental.md).

History (files 1 and 2: Acme, Beta and Core, 2026-03-01 … 03-08) is built as of 03-08.
Then file 3 delivers one more day (03-09) and file 4 re-delivers (Acme, 03-03) with other
rows (ADSK-2's key dropped, ADSK-1's tokens changed, a new user with a name) and a new name
for ADSK-1; an incremental `dbt build` as of 03-09 must give, in every mart and in every
incremental staging and intermediate table, exactly the rows of a `--full-refresh` build of
the same raw rows. Likewise when as_of moves back (03-06) and forward again, and when the
hash key changes. A probe warehouse with planted values in rows no new file touches shows
that an incremental run does not rewrite them (a full rebuild would erase the plants).
"""

from __future__ import annotations

import hashlib
import hmac
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
HASH_KEY = "incremental-test-hash-key"
OTHER_KEY = "incremental-test-rotated-key"
INCREMENTAL_TABLES = (
    "staging.stg_autodesk__usage",
    "intermediate.int_user_keys",
    "intermediate.int_usage_identities",
    "intermediate.int_user_email_links",
    "intermediate.int_user_identities",
)

USAGE_COLUMNS = ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id",
                 "email", "first_name", "last_name")


def day_rows(team: str, day: str, users: list[tuple[str, str, str]]) -> list[tuple]:
    """One row per (user, product, tokens) of a team's day, with no name."""
    return [(team, day, product, "2026", tokens, user, None, None, None)
            for user, product, tokens in users]


# fmt: off
FILE_1 = [  # Acme and Beta, 03-01 … 03-05
    *[row for d in ("01", "02", "04", "05") for row in day_rows("Acme", f"2026-03-{d}", [
        ("ADSK-1", "AutoCAD", "10"), ("ADSK-2", "Revit", "5")])],
    ("Acme", "2026-03-03", "AutoCAD", "2026", "10", "ADSK-1", "ann@x.com", "Ann", "Lee"),
    ("Acme", "2026-03-03", "AutoCAD", "2026", "2.5", "ADSK-1", None, None, None),  # summed
    ("Acme", "2026-03-03", "Revit", "2026", "5", "ADSK-2", "bob@x.com", "Bob", "Ray"),
    *[row for d in ("01", "02", "03", "04", "05") for row in day_rows("Beta", f"2026-03-{d}", [
        ("ADSK-5", "Inventor", "7"), ("ADSK-6", "Inventor", "0")])],
]
FILE_2 = [  # 03-06 … 03-08 for the three teams; Core starts on 03-06
    *[row for d in ("06", "07", "08") for team in ("Acme", "Beta") for row in day_rows(
        team, f"2026-03-{d}", [("ADSK-1", "AutoCAD", "3"), ("ADSK-5", "Revit", "1.125")])],
    *[row for d in ("06", "07", "08") for row in day_rows("Core", f"2026-03-{d}", [
        ("ADSK-7", "Maya", "20")])],
    ("Core", "2026-03-12", "Maya", "2026", "99", "ADSK-7", None, None, None),  # after as_of
]
FILE_3 = [  # one more day
    *day_rows("Acme", "2026-03-09", [("ADSK-1", "AutoCAD", "4"), ("ADSK-2", "Revit", "6")]),
    *day_rows("Core", "2026-03-09", [("ADSK-7", "Maya", "21")]),
]
FILE_4 = [  # a late correction of (Acme, 03-03): ADSK-2's row is gone, ADSK-1 changed
    ("Acme", "2026-03-03", "AutoCAD", "2026", "8", "ADSK-1", "ann.lee@x.com", "Annie", None),
    ("Acme", "2026-03-03", "Inventor", "2024", "1.5", "ADSK-9", None, "Ivy", "Nash"),
]
SUBSCRIPTIONS = (
    ("subscription_id", "team", "offering_name", "seat_quantity", "start_date"),
    {1: [("S1", "Acme", "Flex", 1000, "2026-01-01"), ("S2", "Core", "Flex", 100, "2026-03-01")]},
)
TEAM_SETTINGS = (("team", "pii_enabled"), {1: [("Acme", True)]})
# fmt: on


def usage(files: dict[int, list[tuple]]):
    return {"usage": (USAGE_COLUMNS, files)}


def key(user_id: str, secret: str = HASH_KEY) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:40]


def dbt_build(warehouse: Path, as_of: str, *, full_refresh: bool = False,
              hash_key: str = HASH_KEY, select: str | None = None, command: str = "build",
              expect_success: bool = True) -> str:
    """`dbt build` (the whole project unless `select`) as of `as_of` on `warehouse`; its
    output."""
    run_dir = warehouse.parent / f"dbt-{command}-{as_of}-{'full' if full_refresh else 'inc'}"
    args = [command, "--target-path", str(run_dir / "target"),
            "--log-path", str(run_dir / "logs")]
    args += ["--full-refresh"] if full_refresh else []
    args += ["--select", select] if select else []
    env = {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse),
           "FLEXWH_DATA_DIR": str(warehouse.parent), "FLEXWH_HASH_KEY": hash_key,
           "FLEXWH_THREADS": "2"}
    return run_dbt(args, env, vars_json=json.dumps({"as_of": as_of}),
                   expect_success=expect_success)


def copy(warehouse: Path, name: str) -> Path:
    """A copy of the warehouse file in a folder of its own."""
    folder = warehouse.parent.parent / name
    folder.mkdir()
    shutil.copy(warehouse, folder / "warehouse.duckdb")
    return folder / "warehouse.duckdb"


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of the marts and exports schemas and the incremental staging and
    intermediate tables, each as its sorted rows (columns in table order)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = [f"{schema}.{name}" for (schema, name) in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'exports') order by all").fetchall()]
        return {table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
                for table in (*marts, *INCREMENTAL_TABLES)}


def assert_same_tables(incremental: Path, full: Path) -> None:
    got, expected = tables(incremental), tables(full)
    assert list(got) == list(expected)
    assert len(expected) > 15  # the marts of every layer are there
    for table in expected:
        assert got[table] == expected[table], table


def watermarks(warehouse: Path) -> dict[str, int]:
    return dict(rows(warehouse, "select model_name, file_seq from audit.dbt_incremental_state"))


@pytest.fixture(scope="module")
def history(tmp_path_factory, write_raw) -> Path:
    """Files 1-2 plus the other feeds, built as of 2026-03-08."""
    warehouse = tmp_path_factory.mktemp("incremental") / "history" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    write_raw(warehouse, {**usage({1: FILE_1, 2: FILE_2}), "subscriptions": SUBSCRIPTIONS,
                          "team_settings": TEAM_SETTINGS})
    dbt_build(warehouse, "2026-03-08")
    return warehouse


@pytest.fixture(scope="module")
def delivered(history, write_raw) -> Path:
    """The history warehouse plus files 3 (a new day) and 4 (a late correction), not built."""
    warehouse = copy(history, "delivered")
    write_raw(warehouse, usage({3: FILE_3, 4: FILE_4}))
    return warehouse


@pytest.fixture(scope="module")
def incremental(delivered) -> Path:
    """The new files built incrementally as of 2026-03-09."""
    warehouse = copy(delivered, "incremental")
    dbt_build(warehouse, "2026-03-09")
    return warehouse


@pytest.fixture(scope="module")
def full(delivered) -> Path:
    """The same raw rows built with --full-refresh as of 2026-03-09."""
    warehouse = copy(delivered, "full")
    dbt_build(warehouse, "2026-03-09", full_refresh=True)
    return warehouse


def test_history_watermarks_are_the_last_file_read(history):
    assert watermarks(history) == {
        "fct_daily_usage": 2, "int_user_keys": 2, "int_usage_identities": 2,
        "int_user_email_links": 2}


def test_an_incremental_run_gives_the_marts_of_a_full_refresh(incremental, full):
    assert_same_tables(incremental, full)
    assert watermarks(incremental) == {
        "fct_daily_usage": 4, "int_user_keys": 4, "int_usage_identities": 4,
        "int_user_email_links": 4}


# fmt: off
def test_the_late_correction_replaces_the_day_and_the_new_day_is_in(incremental):
    # (Acme, 03-03) is file 4's alone: 8 + 1.5; ADSK-2's Revit row is gone.
    assert sorted(rows(incremental, """
        select user_key, product_name, version, tokens_used from marts.fct_daily_usage
        where team = 'Acme' and day_used = '2026-03-03'
    """)) == sorted([
        (key("ADSK-1"), "AutoCAD", "2026", D("8.000")),
        (key("ADSK-9"), "Inventor", "2024", D("1.500")),
    ])
    assert rows(incremental, """
        select team, day, tokens_used from marts.rpt_daily_usage_365
        where day in ('2026-03-03', '2026-03-09') and team in ('Acme', 'Core')
        order by team, day
    """) == [
        ("Acme", date(2026, 3, 3), D("9.500")),  # was 10 + 2.5 + 5 = 17.5
        ("Acme", date(2026, 3, 9), D("10.000")),
        ("Core", date(2026, 3, 3), D("0.000")),
        ("Core", date(2026, 3, 9), D("21.000")),
    ]
    # Names: the latest non-empty values of every loaded row (file 4 for ADSK-1; the pair
    # (Annie, NULL)); ADSK-2 keeps the name of its replaced row.
    assert rows(incremental, """
        select user_id, user_key, first_name, last_name, email, user_name
        from intermediate.int_user_identities where team = 'Acme' order by user_id
    """) == [
        ("ADSK-1", key("ADSK-1"), "Annie", None, "ann.lee@x.com", "Annie"),
        ("ADSK-2", key("ADSK-2"), "Bob", "Ray", "bob@x.com", "Bob Ray"),
        ("ADSK-5", key("ADSK-5"), None, None, None, key("ADSK-5")),  # no name, no address
        ("ADSK-9", key("ADSK-9"), "Ivy", "Nash", None, "Ivy Nash"),
    ]
    assert rows(incremental, "select team, last_usage_day from marts.dim_team order by team") \
        == [("Acme", date(2026, 3, 9)), ("Beta", date(2026, 3, 8)), ("Core", date(2026, 3, 9))]
# fmt: on


def test_an_incremental_run_leaves_untouched_rows_alone(history, write_raw):
    """Plant values in rows that no new file touches: the incremental run keeps them (a
    full rebuild would recompute them), and still applies what the new files change."""
    probe = copy(history, "probe")
    planted = "(team = 'Beta' and day_used = '2026-03-02')"
    with duckdb.connect(str(probe)) as con:
        con.execute(f"update staging.stg_autodesk__usage set tokens_used = 777 where {planted}")
        con.execute(f"update marts.fct_daily_usage set tokens_used = 777 where {planted}")
        con.execute("update intermediate.int_usage_identities set email = 'plant@x.com' "
                    "where team = 'Beta' and delivered_user_id = 'ADSK-6'")
    write_raw(probe, usage({3: FILE_3, 4: FILE_4}))
    dbt_build(probe, "2026-03-09", select="+fct_daily_usage +int_user_identities")

    for table in ("staging.stg_autodesk__usage", "marts.fct_daily_usage"):
        assert rows(probe, f"select distinct tokens_used from {table} where {planted}") == [
            (D("777.000"),)]
        assert rows(probe, f"select sum(tokens_used) from {table} "
                           "where team = 'Acme' and day_used = '2026-03-03'") == [(D("9.500"),)]
    assert rows(probe, "select email from intermediate.int_usage_identities "
                       "where team = 'Beta' and delivered_user_id = 'ADSK-6'") == [
        ("plant@x.com",)]
    # The staged rows of untouched pairs still name the file they came from.
    assert rows(probe, "select distinct _file_seq from staging.stg_autodesk__usage "
                       "where team = 'Beta' and day_used <= '2026-03-05'") == [(1,)]


def test_as_of_moving_back_and_forward_again(incremental, full):
    back = copy(incremental, "back")
    dbt_build(back, "2026-03-06")
    back_full = copy(incremental, "back-full")
    dbt_build(back_full, "2026-03-06", full_refresh=True)
    assert_same_tables(back, back_full)
    assert rows(back, "select max(day_used) from marts.fct_daily_usage") == [(date(2026, 3, 6),)]

    dbt_build(back, "2026-03-09")  # forward again: the days 03-07 … 03-09 come back
    assert_same_tables(back, full)


def test_a_new_hash_key_replaces_every_user_key(incremental):
    rotated = copy(incremental, "rotated")
    dbt_build(rotated, "2026-03-09", hash_key=OTHER_KEY)
    rotated_full = copy(incremental, "rotated-full")
    dbt_build(rotated_full, "2026-03-09", hash_key=OTHER_KEY, full_refresh=True)
    assert_same_tables(rotated, rotated_full)
    assert rows(rotated, "select user_id, user_key from intermediate.int_user_keys "
                         "order by user_id") == [
        (u, key(u, OTHER_KEY)) for u in ("ADSK-1", "ADSK-2", "ADSK-5", "ADSK-6", "ADSK-7",
                                         "ADSK-9")]
    assert rows(rotated, "select count(*) from marts.fct_daily_usage where user_key not in "
                         "(select user_key from intermediate.int_user_keys)") == [(0,)]


WRITTEN = "select team, cast(day_used as varchar) from audit.dbt_written_{} order by all"
ALL_PAIRS = "select distinct team, cast(day_used as varchar) from {} order by all"


def test_the_tests_of_incremental_models_look_at_the_pairs_the_build_wrote(
        history, incremental, full):
    """The late correction (Acme 03-03) and the new day (Acme and Core 03-09) were written;
    a full build wrote every pair."""
    written = [("Acme", "2026-03-03"), ("Acme", "2026-03-09"), ("Core", "2026-03-09")]
    for model, table in (("fct_daily_usage", "marts.fct_daily_usage"),
                         ("stg_autodesk__usage", "staging.stg_autodesk__usage")):
        assert rows(incremental, WRITTEN.format(model)) == written, model
        for warehouse in (history, full):
            everything = rows(warehouse, ALL_PAIRS.format(table))
            assert rows(warehouse, WRITTEN.format(model)) == everything
            assert len(everything) > len(written)


def test_a_duplicate_is_found_in_a_written_pair_only(incremental):
    """The `where` of the tests is real: a planted duplicate row of fct_daily_usage fails
    its unique test in a pair the build wrote, not in one it did not (the full refresh
    that tests every pair rebuilds the table from staging)."""
    plant = ("insert into marts.fct_daily_usage select * from marts.fct_daily_usage "
             "where team = ? and day_used = ? limit 1")
    untouched = copy(incremental, "planted-untouched")
    with duckdb.connect(str(untouched)) as con:
        con.execute(plant, ["Beta", "2026-03-01"])
    dbt_build(untouched, "2026-03-09", command="test", select="fct_daily_usage")
    written = copy(incremental, "planted-written")
    with duckdb.connect(str(written)) as con:
        con.execute(plant, ["Acme", "2026-03-09"])
    output = dbt_build(written, "2026-03-09", command="test", select="fct_daily_usage",
                       expect_success=False)
    assert "unique_combination_fct_daily_usage" in output
