"""Time-range usage marts (models/marts/windows) on hand-written usage rows, compared with rows
worked out by hand from metrics.md ("Time ranges", "Usage metrics per window", "User keys and
personal data") and warehouse.md.

Three dbt builds (plus one `dbt compile` of dim_report_window alone):

- A, as of 2026-03-31 (a month end, M = March 2026):
    last_30_days 2026-03-02..03-31 (1), last_3_months 2026-01-01..03-31 (3),
    last_6_months 2025-10-01..2026-03-31 (6), last_9_months 2025-07-01.. (9),
    last_12_months 2025-04-01..2026-03-31 (12);
  Alpha    personal data on: product names in code-point order, a user of two versions of a
           product, distinct counts per grain, half-up rounding, ISO weeks across the year
           boundary, rows after as_of;
  Buckets  personal data off, newer than every window but the 30 days (first use 03-01): the
           bucket boundaries (100, 100.5, 500, 501, 1000, 1000.5, 5000, 5001) and a user with
           zero-token rows only;
  Idle     used on 2025-03-31 (the day before last_12_months) and after as_of only;
  Quiet    named by team settings only.
- B, the same rows as of 2026-03-30 (not a month end, M = February 2026): last_30_days
  2026-03-01..03-30, last_3_months 2025-12-01..2026-02-28 (across the year boundary),
  last_6_months 2025-09-01.., last_9_months 2025-06-01.., last_12_months 2025-03-01..2026-02-28.
- C, as of 2028-02-29 (a leap-year month end, M = February 2028): last_30_days
  2028-01-31..02-29, last_3_months 2027-12-01..2028-02-29, last_6_months 2027-09-01..,
  last_9_months 2027-06-01.., last_12_months 2027-03-01..2028-02-29; team Leap uses one token
  amount (a power of two) on the first day of each window and on the day before it. And
  dim_report_window compiled as of 2028-03-15 (M = February 2028 again).

User keys are computed here with hmac (first 40 hex chars of HMAC-SHA256(key, user_id)).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt.invoke import run_dbt

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

D = Decimal
HASH_KEY = "window-marts-test-hash-key"
SELECTOR = "+path:models/marts/windows"
WINDOWS = ("last_30_days", "last_3_months", "last_6_months", "last_9_months", "last_12_months")
L30, L3, L6, L9, L12 = WINDOWS
BUCKETS = (("0-100", 1), ("101-500", 2), ("501-1000", 3), ("1001-5000", 4), ("5001+", 5))

CONTRACT = {
    "dim_report_window": "window_key, as_of_date, start_date, end_date, months",
    "rpt_usage_summary": "team, window_key, as_of_date, start_date, end_date, total_tokens, "
    "products_used, total_users",
    "rpt_usage_by_product": "team, window_key, as_of_date, product_name, total_users, "
    "total_tokens, avg_tokens_per_month",
    "rpt_product_token_distribution": "team, window_key, as_of_date, product_name, bucket, "
    "bucket_order, users",
    "rpt_product_version_users": "team, window_key, as_of_date, product_name, version, users",
    "rpt_product_user_usage": "team, window_key, as_of_date, product_name, user_key, user_name, "
    "total_tokens, avg_tokens_per_month, days_used",
    "rpt_usage_by_user": "team, window_key, as_of_date, user_key, user_name, user_email, "
    "products_used, product_names, total_tokens, avg_tokens_per_month, days_used, "
    "days_in_window",
    "rpt_user_product_weekly": "team, user_key, product_name, week_start, days_used, tokens",
    "rpt_user_product_versions": "team, window_key, as_of_date, user_key, product_name, version, "
    "days_used",
}
PRIMARY_KEYS = {
    "dim_report_window": "window_key",
    "rpt_usage_summary": "team, window_key",
    "rpt_usage_by_product": "team, window_key, product_name",
    "rpt_product_token_distribution": "team, window_key, product_name, bucket",
    "rpt_product_version_users": "team, window_key, product_name, version",
    "rpt_product_user_usage": "team, window_key, product_name, user_key",
    "rpt_usage_by_user": "team, window_key, user_key",
    "rpt_user_product_weekly": "team, user_key, product_name, week_start",
    "rpt_user_product_versions": "team, window_key, user_key, product_name, version",
}


def key(user_id: str) -> str:
    return hmac.new(HASH_KEY.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:40]


USAGE_COLUMNS = ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id",
                 "email", "first_name", "last_name")  # fmt: skip
PEOPLE = {  # autodesk_id: (email, first_name, last_name), the same on every row of the user
    "A1": ("zoe@alpha.com", "Zoe", "Park"),
    "A2": ("yan@alpha.com", "Yan", "Li"),
    "A3": (None, "Ana", "Sousa"),  # no address: user_email NULL
    "B2": ("bea@buckets.com", "Bea", "Stone"),  # personal data off: never shown
}


def usage(team: str, day: str, product: str, version: str, tokens: str, user: str) -> tuple:
    return (team, day, product, version, tokens, user, *PEOPLE.get(user, (None, None, None)))


# fmt: off
USAGE_2026 = [
    # Alpha. a1: AutoCAD in the ISO weeks around new year (2025-12-28 is a Sunday, 12-29 a
    # Monday, 2026-01-04 a Sunday, 01-05 a Monday) and on 03-05.
    usage("Alpha", "2025-12-28", "AutoCAD", "2026", "1", "A1"),
    usage("Alpha", "2025-12-29", "AutoCAD", "2026", "2", "A1"),
    usage("Alpha", "2026-01-01", "AutoCAD", "2026", "3", "A1"),
    usage("Alpha", "2026-01-04", "AutoCAD", "2026", "4", "A1"),
    usage("Alpha", "2026-01-05", "AutoCAD", "2026", "5", "A1"),
    usage("Alpha", "2026-03-05", "AutoCAD", "2026", "10", "A1"),
    # a2: AutoCAD 2025 on 03-05 and 03-06, AutoCAD 2026 on 03-06 (two versions of one product),
    # and three more products, lower case "navisworks" included.
    usage("Alpha", "2026-03-05", "AutoCAD", "2025", "1.5", "A2"),
    usage("Alpha", "2026-03-06", "AutoCAD", "2026", "2.5", "A2"),
    usage("Alpha", "2026-03-06", "AutoCAD", "2025", "0.5", "A2"),
    usage("Alpha", "2026-03-06", "Revit", "2026", "4", "A2"),
    usage("Alpha", "2026-02-10", "3ds Max", "2026", "15.015", "A2"),
    usage("Alpha", "2025-11-20", "navisworks", "2025", "10.01", "A2"),
    # a3: on as_of (2026-03-31), then after it; a4 only after it.
    usage("Alpha", "2026-03-31", "AutoCAD LT", "2026", "0.001", "A3"),
    usage("Alpha", "2026-04-01", "AutoCAD LT", "2026", "99", "A3"),
    usage("Alpha", "2026-04-02", "Inventor", "2026", "7", "A3"),
    usage("Alpha", "2026-04-01", "AutoCAD", "2026", "5", "A4"),
    # Buckets: Revit in March 2026. b1 has 0.5 on 03-01 (in every window of A but the 30 days).
    usage("Buckets", "2026-03-01", "Revit", "2026", "0.5", "B1"),
    usage("Buckets", "2026-03-10", "Revit", "2026", "100", "B1"),
    usage("Buckets", "2026-03-10", "Revit", "2026", "100.5", "B2"),
    usage("Buckets", "2026-03-20", "AutoCAD", "2026", "7", "B2"),
    usage("Buckets", "2026-03-11", "Revit", "2026", "200", "B3"),
    usage("Buckets", "2026-03-12", "Revit", "2026", "300", "B3"),
    usage("Buckets", "2026-03-11", "Revit", "2026", "501", "B4"),
    usage("Buckets", "2026-03-12", "Revit", "2026", "1000", "B5"),
    usage("Buckets", "2026-03-12", "Revit", "2026", "1000.5", "B6"),
    usage("Buckets", "2026-03-13", "Revit", "2026", "5000", "B7"),
    usage("Buckets", "2026-03-13", "Revit", "2026", "5001", "B8"),
    # b9: zero-token rows only (one on as_of of A, one version 2025), then a row after A's as_of.
    usage("Buckets", "2026-03-14", "Revit", "2026", "0", "B9"),
    usage("Buckets", "2026-03-31", "Revit", "2025", "0", "B9"),
    usage("Buckets", "2026-04-01", "Revit", "2026", "50", "B9"),
    # Idle: the day before last_12_months of A (a Monday), and after as_of.
    usage("Idle", "2025-03-31", "AutoCAD", "2026", "3", "I1"),
    usage("Idle", "2026-04-01", "AutoCAD", "2026", "2", "I1"),
]
SETTINGS_2026 = [("Alpha", True), ("Buckets", False), ("Quiet", True)]

USAGE_2028 = [
    usage("Leap", day, "AutoCAD", "2028", tokens, "L1")
    for day, tokens in [
        ("2027-02-28", "1"),     # day before last_12_months
        ("2027-03-01", "2"),     # first day of last_12_months
        ("2027-05-31", "4"),     # day before last_9_months
        ("2027-06-01", "8"),     # first day of last_9_months
        ("2027-08-31", "16"),    # day before last_6_months
        ("2027-09-01", "32"),    # first day of last_6_months
        ("2027-11-30", "64"),    # day before last_3_months
        ("2027-12-01", "128"),   # first day of last_3_months
        ("2028-01-30", "256"),   # day before last_30_days
        ("2028-01-31", "512"),   # first day of last_30_days
        ("2028-02-29", "1024"),  # as_of
        ("2028-03-01", "2048"),  # after as_of
    ]
]
# fmt: on


def feeds(usage_rows: list[tuple], settings: list[tuple]) -> dict:
    return {
        "usage": (USAGE_COLUMNS, {1: usage_rows}),
        "team_settings": (("team", "pii_enabled"), {1: settings}),
    }


def dbt(command: str, warehouse: Path, as_of: str, run_dir: Path, selector: str) -> None:
    """`dbt <command>` as of `as_of` (the shared dbt_build fixture passes no vars)."""
    run_dbt([command, "--select", selector,
             *(["--indirect-selection", "cautious"] if command == "build" else []),
             "--target-path", str(run_dir / "target"), "--log-path", str(run_dir / "logs")],
            {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse), "FLEXWH_HASH_KEY": HASH_KEY,
             "FLEXWH_DATA_DIR": str(run_dir)},
            vars_json=json.dumps({"as_of": as_of}))


def built(tmp_path_factory, write_raw, raw: dict, as_of: str):
    root = tmp_path_factory.mktemp("windows")
    warehouse = root / "warehouse.duckdb"
    write_raw(warehouse, raw)
    dbt("build", warehouse, as_of, root, SELECTOR)
    return warehouse, root


@pytest.fixture(scope="module")
def a(tmp_path_factory, write_raw):
    warehouse, _ = built(tmp_path_factory, write_raw, feeds(USAGE_2026, SETTINGS_2026),
                         "2026-03-31")  # fmt: skip
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def b(tmp_path_factory, write_raw):
    warehouse, _ = built(tmp_path_factory, write_raw, feeds(USAGE_2026, SETTINGS_2026),
                         "2026-03-30")  # fmt: skip
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def c(tmp_path_factory, write_raw):
    """(connection, the compiled SQL of dim_report_window as of 2028-03-15)"""
    raw = feeds(USAGE_2028, [("Leap", False)])
    warehouse, _ = built(tmp_path_factory, write_raw, raw, "2028-02-29")
    compile_dir = tmp_path_factory.mktemp("compile")
    dbt("compile", warehouse, "2028-03-15", compile_dir, "dim_report_window")
    (compiled,) = (compile_dir / "target" / "compiled").rglob("dim_report_window.sql")
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con, compiled.read_text()
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def window_order(column: str = "window_key") -> str:
    return "case " + " ".join(f"when {column} = '{w}' then {i}" for i, w in enumerate(WINDOWS)) \
        + " end"  # fmt: skip


WO = window_order()


# --- dim_report_window -----------------------------------------------------------------------


# fmt: off
def report_windows(con: duckdb.DuckDBPyConnection,
                   sql: str = "select * from marts.dim_report_window"):
    return rows(con, f"select window_key, as_of_date, start_date, end_date, months "
                     f"from ({sql}) as w order by {WO}")


def test_windows_of_a_month_end(a):
    # as_of 2026-03-31 is the last day of March: M = March 2026. 30 days: 03-31 - 29 = 03-02.
    as_of = date(2026, 3, 31)
    assert report_windows(a) == [
        (L30, as_of, date(2026, 3, 2), as_of, 1),
        (L3, as_of, date(2026, 1, 1), as_of, 3),     # Jan..Mar 2026
        (L6, as_of, date(2025, 10, 1), as_of, 6),    # Oct 2025..Mar 2026
        (L9, as_of, date(2025, 7, 1), as_of, 9),     # Jul 2025..Mar 2026
        (L12, as_of, date(2025, 4, 1), as_of, 12),   # Apr 2025..Mar 2026
    ]


def test_windows_of_a_day_that_is_not_a_month_end(b):
    # as_of 2026-03-30: M = February 2026 (ends 02-28); the months cross into 2025.
    as_of, feb = date(2026, 3, 30), date(2026, 2, 28)
    assert report_windows(b) == [
        (L30, as_of, date(2026, 3, 1), as_of, 1),    # 03-30 - 29 = 03-01
        (L3, as_of, date(2025, 12, 1), feb, 3),      # Dec 2025..Feb 2026
        (L6, as_of, date(2025, 9, 1), feb, 6),
        (L9, as_of, date(2025, 6, 1), feb, 9),
        (L12, as_of, date(2025, 3, 1), feb, 12),
    ]


def test_windows_of_a_leap_february(c):
    con, compiled_2028_03_15 = c
    # as_of 2028-02-29 is the last day of February 2028 (leap year): M = February 2028.
    as_of = date(2028, 2, 29)
    assert report_windows(con) == [
        (L30, as_of, date(2028, 1, 31), as_of, 1),   # 02-29 - 29 = 01-31
        (L3, as_of, date(2027, 12, 1), as_of, 3),
        (L6, as_of, date(2027, 9, 1), as_of, 6),
        (L9, as_of, date(2027, 6, 1), as_of, 9),
        (L12, as_of, date(2027, 3, 1), as_of, 12),
    ]
    # as_of 2028-03-15 is not a month end: M = February 2028, which ends on the 29th.
    as_of = date(2028, 3, 15)
    assert report_windows(con, compiled_2028_03_15) == [
        (L30, as_of, date(2028, 2, 15), as_of, 1),   # 03-15 - 14 = 03-01, - 15 more = 02-15
        (L3, as_of, date(2027, 12, 1), date(2028, 2, 29), 3),
        (L6, as_of, date(2027, 9, 1), date(2028, 2, 29), 6),
        (L9, as_of, date(2027, 6, 1), date(2028, 2, 29), 9),
        (L12, as_of, date(2027, 3, 1), date(2028, 2, 29), 12),
    ]


# --- rpt_usage_summary -------------------------------------------------------------------------


def summary(con):
    return rows(con, f"""
        select team, window_key, as_of_date, start_date, end_date, total_tokens,
               products_used, total_users
        from marts.rpt_usage_summary order by team, {WO}
    """)


def test_usage_summary_as_of_a_month_end(a):
    as_of = date(2026, 3, 31)
    starts = [date(2026, 3, 2), date(2026, 1, 1), date(2025, 10, 1), date(2025, 7, 1),
              date(2025, 4, 1)]
    totals = {
        # 30 days: a1 10 + a2 AutoCAD 1.5 + 2.5 + 0.5 + Revit 4 + a3 0.001 = 18.501; products
        # AutoCAD, Revit, AutoCAD LT; users a1, a2, a3 (a2 counts once for two products).
        # 3 months: + a1 3 + 4 + 5 (January) + 3ds Max 15.015 = 45.516, 4 products.
        # 6 months: + a1 1 + 2 (December) + navisworks 10.01 = 58.526, 5 products; 9 and 12
        # months: nothing earlier. Rows after as_of (a3's 99 and Inventor, a4) are ignored.
        "Alpha": [("18.501", 3, 3), ("45.516", 4, 3), ("58.526", 5, 3), ("58.526", 5, 3),
                  ("58.526", 5, 3)],
        # 30 days: Revit 100 + 100.5 + 500 + 501 + 1000 + 1000.5 + 5000 + 5001 + 0 = 13203
        # and AutoCAD 7: 13210 by b1..b9 (b2 once); from 3 months on b1's 0.5 of 03-01 too.
        "Buckets": [("13210", 2, 9)] + [("13210.5", 2, 9)] * 4,
        # Idle: 2025-03-31 is before every window, 2026-04-01 after as_of. Quiet: no usage.
        "Idle": [("0", 0, 0)] * 5,
        "Quiet": [("0", 0, 0)] * 5,
    }
    assert summary(a) == [
        (team, w, as_of, start, as_of, D(tokens), products, users)
        for team, values in totals.items()
        for w, start, (tokens, products, users) in zip(WINDOWS, starts, values, strict=True)
    ]


def test_usage_summary_as_of_a_day_that_is_not_a_month_end(b):
    as_of, feb = date(2026, 3, 30), date(2026, 2, 28)
    bounds = [(date(2026, 3, 1), as_of), (date(2025, 12, 1), feb), (date(2025, 9, 1), feb),
              (date(2025, 6, 1), feb), (date(2025, 3, 1), feb)]
    totals = {
        # 30 days (03-01..03-30): a1 10, a2 1.5 + 2.5 + 0.5 + 4 = 18.5 (a3's 03-31 is after).
        # 3 months (Dec..Feb): a1 1 + 2 + 3 + 4 + 5 = 15, a2 3ds Max 15.015: 30.015.
        # 6 months on: + navisworks 10.01 (2025-11-20) = 40.025, 3 products, a1 and a2.
        "Alpha": [("18.5", 2, 2), ("30.015", 2, 2)] + [("40.025", 3, 2)] * 3,
        # 30 days: 13210 of A + b1's 0.5 of 03-01 (b9's 0 of 03-31 is after as_of); then
        # idle: no Buckets row before March 2026.
        "Buckets": [("13210.5", 2, 9)] + [("0", 0, 0)] * 4,
        # last_12_months (2025-03-01..2026-02-28) holds Idle's 3 of 2025-03-31.
        "Idle": [("0", 0, 0)] * 4 + [("3", 1, 1)],
        "Quiet": [("0", 0, 0)] * 5,
    }
    assert summary(b) == [
        (team, w, as_of, start, end, D(tokens), products, users)
        for team, values in totals.items()
        for w, (start, end), (tokens, products, users) in zip(WINDOWS, bounds, values,
                                                               strict=True)
    ]


def test_usage_summary_of_a_leap_february(c):
    con, _ = c
    as_of = date(2028, 2, 29)
    # Only the days from each window's first day to as_of count (powers of two):
    # 30 days 512 + 1024 = 1536; 3 months + 128 + 256 = 1920; 6 months + 32 + 64 = 2016;
    # 9 months + 8 + 16 = 2040; 12 months + 2 + 4 = 2046.
    assert summary(con) == [
        ("Leap", L30, as_of, date(2028, 1, 31), as_of, D("1536"), 1, 1),
        ("Leap", L3, as_of, date(2027, 12, 1), as_of, D("1920"), 1, 1),
        ("Leap", L6, as_of, date(2027, 9, 1), as_of, D("2016"), 1, 1),
        ("Leap", L9, as_of, date(2027, 6, 1), as_of, D("2040"), 1, 1),
        ("Leap", L12, as_of, date(2027, 3, 1), as_of, D("2046"), 1, 1),
    ]


# --- rpt_usage_by_product ----------------------------------------------------------------------


def by_product(con, teams: str):
    return rows(con, f"""
        select team, window_key, as_of_date, product_name, total_users, total_tokens,
               avg_tokens_per_month
        from marts.rpt_usage_by_product where team in ({teams})
        order by team, {WO}, product_name
    """)


def test_usage_by_product_averages_round_half_up_over_the_window_months(a):
    as_of = date(2026, 3, 31)
    expected = [
        # 30 days (months 1): AutoCAD a1 10 + a2 4.5 by 2 users (a2's two versions once).
        ("Alpha", L30, "AutoCAD", 2, "14.5", "14.50"),
        ("Alpha", L30, "AutoCAD LT", 1, "0.001", "0.00"),
        ("Alpha", L30, "Revit", 1, "4", "4.00"),
        # 3 months: 3ds Max 15.015 / 3 = 5.005 -> 5.01 (half-up; a DOUBLE gives 5.00).
        ("Alpha", L3, "3ds Max", 1, "15.015", "5.01"),
        ("Alpha", L3, "AutoCAD", 2, "26.5", "8.83"),    # a1 10 + 12, a2 4.5; /3 = 8.833
        ("Alpha", L3, "AutoCAD LT", 1, "0.001", "0.00"),
        ("Alpha", L3, "Revit", 1, "4", "1.33"),
        # 6 months: 15.015 / 6 = 2.5025; AutoCAD + a1 1 + 2 = 29.5 / 6 = 4.9167;
        # navisworks 10.01 / 6 = 1.668333 -> 1.67.
        ("Alpha", L6, "3ds Max", 1, "15.015", "2.50"),
        ("Alpha", L6, "AutoCAD", 2, "29.5", "4.92"),
        ("Alpha", L6, "AutoCAD LT", 1, "0.001", "0.00"),
        ("Alpha", L6, "Revit", 1, "4", "0.67"),
        ("Alpha", L6, "navisworks", 1, "10.01", "1.67"),
        # 9 months: 15.015 / 9 = 1.66833; 29.5 / 9 = 3.2778; 4 / 9 = 0.444; 10.01 / 9 = 1.1122
        ("Alpha", L9, "3ds Max", 1, "15.015", "1.67"),
        ("Alpha", L9, "AutoCAD", 2, "29.5", "3.28"),
        ("Alpha", L9, "AutoCAD LT", 1, "0.001", "0.00"),
        ("Alpha", L9, "Revit", 1, "4", "0.44"),
        ("Alpha", L9, "navisworks", 1, "10.01", "1.11"),
        # 12 months: 1.25125; 2.4583; 0.333; 0.83417
        ("Alpha", L12, "3ds Max", 1, "15.015", "1.25"),
        ("Alpha", L12, "AutoCAD", 2, "29.5", "2.46"),
        ("Alpha", L12, "AutoCAD LT", 1, "0.001", "0.00"),
        ("Alpha", L12, "Revit", 1, "4", "0.33"),
        ("Alpha", L12, "navisworks", 1, "10.01", "0.83"),
        # Buckets first used Revit on 2026-03-01, yet the months stay 3, 6, 9, 12:
        # 13203.5 / 3 = 4401.1667, / 6 = 2200.5833, / 9 = 1467.0556, / 12 = 1100.2917;
        # AutoCAD 7 / 3 = 2.333, / 6 = 1.1667, / 9 = 0.7778, / 12 = 0.5833.
        ("Buckets", L30, "AutoCAD", 1, "7", "7.00"),
        ("Buckets", L30, "Revit", 9, "13203", "13203.00"),  # b9 (0 tokens) is a user
        ("Buckets", L3, "AutoCAD", 1, "7", "2.33"),
        ("Buckets", L3, "Revit", 9, "13203.5", "4401.17"),
        ("Buckets", L6, "AutoCAD", 1, "7", "1.17"),
        ("Buckets", L6, "Revit", 9, "13203.5", "2200.58"),
        ("Buckets", L9, "AutoCAD", 1, "7", "0.78"),
        ("Buckets", L9, "Revit", 9, "13203.5", "1467.06"),
        ("Buckets", L12, "AutoCAD", 1, "7", "0.58"),
        ("Buckets", L12, "Revit", 9, "13203.5", "1100.29"),
        # Idle and Quiet used nothing in any window: no rows.
    ]
    assert by_product(a, "'Alpha', 'Buckets', 'Idle', 'Quiet'") == [
        (team, w, as_of, product, users, D(tokens), D(avg))
        for team, w, product, users, tokens, avg in expected
    ]


def test_usage_by_product_of_a_day_that_is_not_a_month_end_and_of_a_leap_february(b, c):
    as_of = date(2026, 3, 30)
    assert by_product(b, "'Alpha', 'Idle'") == [
        (team, w, as_of, product, users, D(tokens), D(avg))
        for team, w, product, users, tokens, avg in [
            ("Alpha", L30, "AutoCAD", 2, "14.5", "14.50"),     # a3's 03-31 is after as_of
            ("Alpha", L30, "Revit", 1, "4", "4.00"),
            ("Alpha", L3, "3ds Max", 1, "15.015", "5.01"),     # 5.005 -> 5.01
            ("Alpha", L3, "AutoCAD", 1, "15", "5.00"),         # a1 1 + 2 + 3 + 4 + 5
            ("Alpha", L6, "3ds Max", 1, "15.015", "2.50"),
            ("Alpha", L6, "AutoCAD", 1, "15", "2.50"),
            ("Alpha", L6, "navisworks", 1, "10.01", "1.67"),   # 1.668333
            ("Alpha", L9, "3ds Max", 1, "15.015", "1.67"),
            ("Alpha", L9, "AutoCAD", 1, "15", "1.67"),         # 1.6667
            ("Alpha", L9, "navisworks", 1, "10.01", "1.11"),
            ("Alpha", L12, "3ds Max", 1, "15.015", "1.25"),
            ("Alpha", L12, "AutoCAD", 1, "15", "1.25"),
            ("Alpha", L12, "navisworks", 1, "10.01", "0.83"),
            ("Idle", L12, "AutoCAD", 1, "3", "0.25"),          # 2025-03-31 in 2025-03-01..
        ]
    ]
    con, _ = c
    leap = date(2028, 2, 29)
    # 1536 / 1; 1920 / 3 = 640; 2016 / 6 = 336; 2040 / 9 = 226.667; 2046 / 12 = 170.5
    assert by_product(con, "'Leap'") == [
        ("Leap", w, leap, "AutoCAD", 1, D(tokens), D(avg))
        for w, tokens, avg in [(L30, "1536", "1536.00"), (L3, "1920", "640.00"),
                               (L6, "2016", "336.00"), (L9, "2040", "226.67"),
                               (L12, "2046", "170.50")]
    ]


# --- rpt_product_token_distribution ------------------------------------------------------------


def distribution(con, where: str = "true"):
    return rows(con, f"""
        select team, window_key, as_of_date, product_name, bucket, bucket_order, users
        from marts.rpt_product_token_distribution where {where}
        order by team, {WO}, product_name, bucket_order
    """)


def test_token_distribution_bucket_boundaries_and_empty_buckets(a):
    as_of = date(2026, 3, 31)
    counts = {
        # Revit, 30 days: b1 100 and b9 0 -> 0-100; b2 100.5 and b3 200 + 300 = 500 ->
        # 101-500; b4 501 and b5 1000 -> 501-1000; b6 1000.5 and b7 5000 -> 1001-5000;
        # b8 5001 -> 5001+.
        (L30, "Revit"): [2, 2, 2, 2, 1],
        # From 3 months on b1 has 100.5 (0.5 on 03-01): 101-500.
        **{(w, "Revit"): [1, 3, 2, 2, 1] for w in WINDOWS[1:]},
        # AutoCAD: b2's 7 alone; the four other buckets have a row of 0 users.
        **{(w, "AutoCAD"): [1, 0, 0, 0, 0] for w in WINDOWS},
    }
    assert distribution(a, "team = 'Buckets'") == [
        ("Buckets", w, as_of, product, bucket, order, counts[w, product][order - 1])
        for w in WINDOWS
        for product in ("AutoCAD", "Revit")
        for bucket, order in BUCKETS
    ]
    # Alpha: every user of every product is under 100 tokens in every window (a1 AutoCAD 25).
    alpha_products = {L30: ["AutoCAD", "AutoCAD LT", "Revit"],
                      L3: ["3ds Max", "AutoCAD", "AutoCAD LT", "Revit"]}
    alpha_products |= {w: [*alpha_products[L3], "navisworks"] for w in (L6, L9, L12)}
    alpha_users = {"AutoCAD": 2}  # a1 and a2 (two versions: one user)
    assert distribution(a, "team in ('Alpha', 'Idle', 'Quiet')") == [
        ("Alpha", w, as_of, product, bucket, order,
         alpha_users.get(product, 1) if order == 1 else 0)
        for w in WINDOWS
        for product in sorted(alpha_products[w])
        for bucket, order in BUCKETS
    ]


def test_token_distribution_as_of_a_day_that_is_not_a_month_end(b):
    as_of = date(2026, 3, 30)
    # 30 days (03-01..03-30): b1 100.5 -> 101-500, b9 only 0 of 03-14 -> 0-100. No Buckets
    # usage in the other windows: no rows.
    assert distribution(b, "team = 'Buckets'") == [
        ("Buckets", L30, as_of, product, bucket, order, users)
        for product, counts in (("AutoCAD", [1, 0, 0, 0, 0]), ("Revit", [1, 3, 2, 2, 1]))
        for (bucket, order), users in zip(BUCKETS, counts, strict=True)
    ]


# --- rpt_product_version_users and rpt_user_product_versions -----------------------------------


def test_version_users_count_each_version_and_products_count_users_once(a):
    as_of = date(2026, 3, 31)
    per_window = {
        # a2 used AutoCAD 2025 and 2026: a user of each, yet AutoCAD has 2 users, not 3.
        L30: [("AutoCAD", "2025", 1), ("AutoCAD", "2026", 2), ("AutoCAD LT", "2026", 1),
              ("Revit", "2026", 1)],
        L3: [("3ds Max", "2026", 1), ("AutoCAD", "2025", 1), ("AutoCAD", "2026", 2),
             ("AutoCAD LT", "2026", 1), ("Revit", "2026", 1)],
    }
    per_window |= {w: [*per_window[L3], ("navisworks", "2025", 1)] for w in (L6, L9, L12)}
    assert rows(a, f"""
        select team, window_key, as_of_date, product_name, version, users
        from marts.rpt_product_version_users where team = 'Alpha'
        order by {WO}, product_name, version
    """) == [("Alpha", w, as_of, *row) for w in WINDOWS for row in per_window[w]]
    # Buckets Revit in 30 days: version 2026 by b1..b8 and b9 (03-14), 2025 by b9 (03-31).
    assert rows(a, """
        select product_name, version, users from marts.rpt_product_version_users
        where team = 'Buckets' and window_key = 'last_30_days' order by all
    """) == [("AutoCAD", "2026", 1), ("Revit", "2025", 1), ("Revit", "2026", 9)]


def test_user_product_versions_count_days_per_version(a):
    as_of = date(2026, 3, 31)
    a1, a2, a3 = key("A1"), key("A2"), key("A3")
    thirty_days = [
        (a1, "AutoCAD", "2026", 1),      # 03-05
        (a2, "AutoCAD", "2025", 2),      # 03-05 and 03-06
        (a2, "AutoCAD", "2026", 1),      # 03-06
        (a2, "Revit", "2026", 1),
        (a3, "AutoCAD LT", "2026", 1),   # 03-31 (as_of); 04-01 is after it
    ]
    twelve_months = [
        (a1, "AutoCAD", "2026", 6),      # 12-28, 12-29, 01-01, 01-04, 01-05, 03-05
        (a2, "3ds Max", "2026", 1),
        (a2, "AutoCAD", "2025", 2),
        (a2, "AutoCAD", "2026", 1),
        (a2, "Revit", "2026", 1),
        (a2, "navisworks", "2025", 1),
        (a3, "AutoCAD LT", "2026", 1),
    ]
    assert rows(a, f"""
        select team, window_key, as_of_date, user_key, product_name, version, days_used
        from marts.rpt_user_product_versions
        where team = 'Alpha' and window_key in ('last_30_days', 'last_12_months')
        order by {WO}, user_key, product_name, version
    """) == [
        ("Alpha", w, as_of, *row)
        for w, part in ((L30, thirty_days), (L12, twelve_months))
        for row in sorted(part)
    ]


# --- rpt_product_user_usage and rpt_usage_by_user ----------------------------------------------


def test_product_user_usage_recounts_days_per_product(a):
    as_of = date(2026, 3, 31)
    a1, a2, a3 = key("A1"), key("A2"), key("A3")
    thirty_days = [
        ("AutoCAD", a1, "Zoe Park", "10", "10.00", 1),
        # a2: 1.5 + 2.5 + 0.5 on 03-05 and 03-06 (two versions on 03-06: one day).
        ("AutoCAD", a2, "Yan Li", "4.5", "4.50", 2),
        ("AutoCAD LT", a3, "Ana Sousa", "0.001", "0.00", 1),
        ("Revit", a2, "Yan Li", "4", "4.00", 1),
    ]
    twelve_months = [
        ("3ds Max", a2, "Yan Li", "15.015", "1.25", 1),       # 1.25125
        ("AutoCAD", a1, "Zoe Park", "25", "2.08", 6),          # 1 + 2 + 3 + 4 + 5 + 10; 2.0833
        ("AutoCAD", a2, "Yan Li", "4.5", "0.38", 2),           # 0.375 -> 0.38
        ("AutoCAD LT", a3, "Ana Sousa", "0.001", "0.00", 1),
        ("Revit", a2, "Yan Li", "4", "0.33", 1),
        ("navisworks", a2, "Yan Li", "10.01", "0.83", 1),      # 0.834167
    ]
    assert rows(a, f"""
        select team, window_key, as_of_date, product_name, user_key, user_name, total_tokens,
               avg_tokens_per_month, days_used
        from marts.rpt_product_user_usage
        where team = 'Alpha' and window_key in ('last_30_days', 'last_12_months')
        order by {WO}, product_name, user_key
    """) == [
        ("Alpha", w, as_of, product, user, name, D(tokens), D(avg), days)
        for w, part in ((L30, thirty_days), (L12, twelve_months))
        for product, user, name, tokens, avg, days in sorted(part, key=lambda r: r[:2])
    ]
    # Personal data off: user_name = user_key. b9: zero-token rows on two days.
    assert rows(a, """
        select user_key, user_name, total_tokens, avg_tokens_per_month, days_used
        from marts.rpt_product_user_usage
        where team = 'Buckets' and window_key = 'last_3_months' and product_name = 'Revit'
          and user_key in (?, ?)
        order by total_tokens
    """, [key("B1"), key("B9")]) == [
        (key("B9"), key("B9"), D("0"), D("0.00"), 2),
        (key("B1"), key("B1"), D("100.5"), D("33.50"), 2),    # 0.5 + 100, / 3
    ]


def test_usage_by_user_names_products_and_days(a):
    as_of = date(2026, 3, 31)
    a1, a2, a3 = key("A1"), key("A2"), key("A3")
    person = {a1: ("Zoe Park", "zoe@alpha.com"), a2: ("Yan Li", "yan@alpha.com"),
              a3: ("Ana Sousa", None)}
    # (user, products_used, product_names, total, avg, days_used); product_names in code-point
    # order: "3ds Max" < "AutoCAD" < "Revit" < "navisworks" (upper case before lower case).
    per_window = {
        L30: [(a1, 1, "AutoCAD", "10", "10.00", 1),
              (a2, 2, "AutoCAD, Revit", "8.5", "8.50", 2),          # 4.5 + 4; 03-05, 03-06
              (a3, 1, "AutoCAD LT", "0.001", "0.00", 1)],
        # a1: 3 + 4 + 5 + 10 = 22 / 3 = 7.333 on 4 days; a2: 4.5 + 4 + 15.015 = 23.515 / 3 =
        # 7.8383 on 3 days.
        L3: [(a1, 1, "AutoCAD", "22", "7.33", 4),
             (a2, 3, "3ds Max, AutoCAD, Revit", "23.515", "7.84", 3),
             (a3, 1, "AutoCAD LT", "0.001", "0.00", 1)],
        # a1: 25 / 6 = 4.1667 on 6 days; a2: 23.515 + 10.01 = 33.525 / 6 = 5.5875 -> 5.59
        # (half-up; a DOUBLE gives 5.5874999...).
        L6: [(a1, 1, "AutoCAD", "25", "4.17", 6),
             (a2, 4, "3ds Max, AutoCAD, Revit, navisworks", "33.525", "5.59", 4),
             (a3, 1, "AutoCAD LT", "0.001", "0.00", 1)],
        # 25 / 9 = 2.778; 33.525 / 9 = 3.725 -> 3.73 (half-up).
        L9: [(a1, 1, "AutoCAD", "25", "2.78", 6),
             (a2, 4, "3ds Max, AutoCAD, Revit, navisworks", "33.525", "3.73", 4),
             (a3, 1, "AutoCAD LT", "0.001", "0.00", 1)],
        # 25 / 12 = 2.0833; 33.525 / 12 = 2.79375.
        L12: [(a1, 1, "AutoCAD", "25", "2.08", 6),
              (a2, 4, "3ds Max, AutoCAD, Revit, navisworks", "33.525", "2.79", 4),
              (a3, 1, "AutoCAD LT", "0.001", "0.00", 1)],
    }
    # end - start + 1: 30; Jan 31 + Feb 28 + Mar 31 = 90; + Oct 31 + Nov 30 + Dec 31 = 182;
    # + Jul 31 + Aug 31 + Sep 30 = 274; + Apr 30 + May 31 + Jun 30 = 365.
    days_in_window = dict(zip(WINDOWS, (30, 90, 182, 274, 365), strict=True))
    assert rows(a, f"""
        select team, window_key, as_of_date, user_key, user_name, user_email, products_used,
               product_names, total_tokens, avg_tokens_per_month, days_used, days_in_window
        from marts.rpt_usage_by_user where team in ('Alpha', 'Idle', 'Quiet')
        order by team, {WO}, user_key
    """) == [
        ("Alpha", w, as_of, user, *person[user], products, names, D(tokens), D(avg), days,
         days_in_window[w])
        for w in WINDOWS
        for user, products, names, tokens, avg, days in sorted(per_window[w])
    ]


def test_usage_by_user_with_personal_data_off(a):
    as_of = date(2026, 3, 31)
    thirty_days = [
        ("B1", 1, "Revit", "100", "100.00", 1),               # 03-01 is before the 30 days
        ("B2", 2, "AutoCAD, Revit", "107.5", "107.50", 2),    # 100.5 + 7 on 03-10, 03-20
        ("B3", 1, "Revit", "500", "500.00", 2),
        ("B4", 1, "Revit", "501", "501.00", 1),
        ("B5", 1, "Revit", "1000", "1000.00", 1),
        ("B6", 1, "Revit", "1000.5", "1000.50", 1),
        ("B7", 1, "Revit", "5000", "5000.00", 1),
        ("B8", 1, "Revit", "5001", "5001.00", 1),
        ("B9", 1, "Revit", "0", "0.00", 2),                   # zero-token rows on 03-14, 03-31
    ]
    assert rows(a, """
        select team, window_key, as_of_date, user_key, user_name, user_email, products_used,
               product_names, total_tokens, avg_tokens_per_month, days_used, days_in_window
        from marts.rpt_usage_by_user where team = 'Buckets' and window_key = 'last_30_days'
        order by user_key
    """) == sorted(
        ("Buckets", L30, as_of, key(u), key(u), "*****", products, names, D(tokens), D(avg),
         days, 30)
        for u, products, names, tokens, avg, days in thirty_days
    )


def test_usage_by_user_of_a_leap_february(c):
    con, _ = c
    leap, user = date(2028, 2, 29), key("L1")
    # days_used: two usage days per window step; days_in_window: 30; Dec 31 + Jan 31 + Feb 29
    # = 91; + Sep 30 + Oct 31 + Nov 30 = 182; + Jun 30 + Jul 31 + Aug 31 = 274; + Mar 31 +
    # Apr 30 + May 31 = 366. Leap has personal data off.
    assert rows(con, f"""
        select window_key, as_of_date, user_key, user_name, user_email, product_names,
               total_tokens, avg_tokens_per_month, days_used, days_in_window
        from marts.rpt_usage_by_user order by {WO}
    """) == [
        (w, leap, user, user, "*****", "AutoCAD", D(tokens), D(avg), days, in_window)
        for w, tokens, avg, days, in_window in [
            (L30, "1536", "1536.00", 2, 30), (L3, "1920", "640.00", 4, 91),
            (L6, "2016", "336.00", 6, 182), (L9, "2040", "226.67", 8, 274),
            (L12, "2046", "170.50", 10, 366),
        ]
    ]


# --- rpt_user_product_weekly -------------------------------------------------------------------


def weekly(con):
    return rows(con, """
        select team, user_key, product_name, week_start, days_used, tokens
        from marts.rpt_user_product_weekly where team in ('Alpha', 'Idle', 'Quiet')
        order by all
    """)


WEEKLY_2026_03_30 = sorted([
    # a1 AutoCAD: Sunday 2025-12-28 is in the week of Monday 12-22; 12-29 (Mon), 01-01 and
    # 01-04 (Sun) are one ISO week starting 2025-12-29 (2 + 3 + 4 = 9); 01-05 starts
    # the next; 03-05 (Thu) is in the week of 03-02.
    ("Alpha", key("A1"), "AutoCAD", date(2025, 12, 22), 1, D("1")),
    ("Alpha", key("A1"), "AutoCAD", date(2025, 12, 29), 3, D("9")),
    ("Alpha", key("A1"), "AutoCAD", date(2026, 1, 5), 1, D("5")),
    ("Alpha", key("A1"), "AutoCAD", date(2026, 3, 2), 1, D("10")),
    # a2: AutoCAD on 03-05 and 03-06 (two versions that day): 2 days, 1.5 + 2.5 + 0.5.
    ("Alpha", key("A2"), "AutoCAD", date(2026, 3, 2), 2, D("4.5")),
    ("Alpha", key("A2"), "Revit", date(2026, 3, 2), 1, D("4")),
    ("Alpha", key("A2"), "3ds Max", date(2026, 2, 9), 1, D("15.015")),     # Tue 02-10
    ("Alpha", key("A2"), "navisworks", date(2025, 11, 17), 1, D("10.01")),  # Thu 11-20
    # Idle: all history up to as_of, windows or not: Monday 2025-03-31.
    ("Idle", key("I1"), "AutoCAD", date(2025, 3, 31), 1, D("3")),
])


def test_weekly_usage_by_iso_week_up_to_as_of(a, b):
    # As of 2026-03-31 (Tuesday) the week of 03-30 holds a3's 03-31, not 04-01 or 04-02.
    assert weekly(a) == sorted([
        *WEEKLY_2026_03_30,
        ("Alpha", key("A3"), "AutoCAD LT", date(2026, 3, 30), 1, D("0.001")),
    ])
    # As of 2026-03-30 (Monday) that week has no use yet: no row.
    assert weekly(b) == WEEKLY_2026_03_30


# --- contract --------------------------------------------------------------------------------


def test_marts_have_the_contract_columns_keys_and_as_of_date(a):
    for table, columns in CONTRACT.items():
        actual = [name for (name,) in rows(a, f"""
            select column_name from information_schema.columns
            where table_schema = 'marts' and table_name = '{table}'
        """)]
        assert set(columns.split(", ")) <= set(actual), table
        assert rows(a, f"select count(*) - count(distinct ({PRIMARY_KEYS[table]})) "
                       f"from marts.{table}") == [(0,)], table
        if "as_of_date" in columns:
            assert rows(a, f"select distinct as_of_date from marts.{table}") == [
                (date(2026, 3, 31),)], table
    assert rows(a, "select distinct data_type from information_schema.columns "
                   "where table_schema = 'marts' and column_name = 'total_tokens' "
                   "and table_name in (select unnest(?))", [list(CONTRACT)]) == [
        ("DECIMAL(18,3)",)]
# fmt: on
