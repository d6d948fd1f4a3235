"""Forecast and alerts (insights.md) worked by hand, as of 2026-03-31.

- Alpha: pack A1 (1000, 2025-04-01 … 2026-12-31); 30 tokens a day on 03-02 … 03-31, so
  100 left. Burn 900 / 30 = 30.000 (90 days: 900 / 90 = 10.000). Projected: 04-01 … 04-03
  take 30 each, 04-04 the last 10 and falls short: empty and run-out on 04-04, 3 days of
  cover, buy by 03-05. Low balance (100 × 5 < 100 + 900); 04-04 is within 14 days:
  run_out_soon is critical. No spike: 210 in the last 7 days, 690 in the 28 before
  (210 × 4 = 840 is not > 2 × 690).
- Beta: pack B1 (1000, 2025-06-30 … 2026-06-29); 20 a day on 03-25 … 03-31 (140), 860
  left. Burn 140 / 30 = 4.667 (half-up), 140 / 90 = 1.556. 04-01 … 06-29 is 90 days:
  420.030 used, 439.970 expire; run-out 06-30 (90 days of cover, not within 60). B1 ends
  on as_of + 90: expiring_unused (inclusive). Spike: 140 ≥ 100 and 140 > 2 × 0.
- Gamma: G1 (100, ends 2026-12-31) and G2 (50, ends 2026-06-30 = as_of + 91), no use:
  burn 0, no run-out, both expire whole (breakage 150); G2 is one day past the window.
- Delta: 50 tokens on 2026-01-10 and no pack: unallocated (critical); burn_30d 0, its
  90-day rate 50 / 90 = 0.556.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from tests.dbt.invoke import run_dbt

pytestmark = pytest.mark.slow  # dbt builds: not in make test-fast

AS_OF = "2026-03-31"
USAGE_COLUMNS = ("team", "day_used", "product_name", "version", "tokens_used", "autodesk_id")
SUBSCRIPTION_COLUMNS = ("subscription_id", "team", "offering_name", "seat_quantity",
                        "start_date", "end_date")


def days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


SUBSCRIPTIONS = [
    ("A1", "Alpha", "Flex Tokens", 1000, "2025-04-01", "2026-12-31"),
    ("B1", "Beta", "Flex Tokens", 1000, "2025-06-30", "2026-06-29"),
    ("G1", "Gamma", "Flex Tokens", 100, "2026-01-01", "2026-12-31"),
    ("G2", "Gamma", "Flex Tokens", 50, "2025-07-01", "2026-06-30"),
]
USAGE = ([("Alpha", day, "AutoCAD", "2026", "30", "a1") for day in days("2026-03-02", AS_OF)]
         + [("Beta", day, "Revit", "2026", "20", "b1") for day in days("2026-03-25", AS_OF)]
         + [("Delta", "2026-01-10", "AutoCAD", "2026", "50", "d1")])

TEAM_FORECAST = [
    ("Alpha", date(2026, 3, 31), D("100.000"), D("30.000"), D("10.000"), date(2026, 4, 4), 3,
     D("0.000"), date(2026, 3, 5)),
    ("Beta", date(2026, 3, 31), D("860.000"), D("4.667"), D("1.556"), date(2026, 6, 30), 90,
     D("439.970"), date(2026, 5, 31)),
    ("Delta", date(2026, 3, 31), D("0.000"), D("0.000"), D("0.556"), None, None, D("0.000"),
     None),
    ("Gamma", date(2026, 3, 31), D("150.000"), D("0.000"), D("0.000"), None, None,
     D("150.000"), None),
]
PACK_FORECAST = [
    ("Alpha", "A1", date(2025, 4, 1), date(2026, 12, 31), D("100.000"), D("100.000"),
     D("0.000"), date(2026, 4, 4)),
    ("Beta", "B1", date(2025, 6, 30), date(2026, 6, 29), D("860.000"), D("420.030"),
     D("439.970"), None),
    ("Gamma", "G1", date(2026, 1, 1), date(2026, 12, 31), D("100.000"), D("0.000"),
     D("100.000"), None),
    ("Gamma", "G2", date(2025, 7, 1), date(2026, 6, 30), D("50.000"), D("0.000"),
     D("50.000"), None),
]
ALERTS = {
    ("Alpha", "low_balance", ""): ("warning", "Tokens available 100.000 are less than a "
                                   "fifth of the active packs' 1000.000."),
    ("Alpha", "run_out_soon", ""): ("critical", "At 30.000 tokens a day the team runs out "
                                    "on 2026-04-04 (3 days of cover)."),
    ("Beta", "expiring_unused", "B1"): ("warning", "Pack B1 ends on 2026-06-29 with 439.970 "
                                        "tokens projected unused."),
    ("Beta", "usage_spike", ""): ("warning", "140.000 tokens used in the last 7 days, over 2 "
                                  "times the weekly average of the 28 days before (0.000)."),
    ("Delta", "unallocated", ""): ("critical", "50.000 tokens were consumed with no token "
                                   "pack to cover them."),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, write_raw) -> Path:
    path = tmp_path_factory.mktemp("insights") / "warehouse.duckdb"
    write_raw(path, {"subscriptions": (SUBSCRIPTION_COLUMNS, {1: SUBSCRIPTIONS}),
                     "usage": (USAGE_COLUMNS, {1: USAGE})})
    build(path, "+path:models/marts/insights")
    return path


def build(warehouse: Path, selector: str, **settings: str) -> None:
    run_dir = warehouse.parent / "dbt"
    run_dbt(["build", "--select", selector, "--indirect-selection", "cautious",
             "--target-path", str(run_dir / "target"), "--log-path", str(run_dir / "logs")],
            {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse), "FLEXWH_DATA_DIR":
             str(warehouse.parent), "FLEXWH_HASH_KEY": "insights-test-hash-key", **settings},
            vars_json=json.dumps({"as_of": AS_OF}))


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def alerts(warehouse: Path) -> dict[tuple, tuple]:
    return {(team, kind, subject): (severity, message) for team, kind, subject, severity,
            message in rows(warehouse, "select team, alert_type, subject, severity, message "
                                       "from marts.fct_alerts")}


def test_team_forecast(warehouse):
    assert rows(warehouse, "select * from marts.rpt_team_forecast order by team") \
        == TEAM_FORECAST


def test_pack_forecast(warehouse):
    assert rows(warehouse, "select * from marts.rpt_pack_forecast order by subscription_id") \
        == PACK_FORECAST


def test_balance_projection(warehouse):
    curve = {}
    for team, as_of, day, balance in rows(
            warehouse, "select * from marts.rpt_team_balance_projection order by team, day"):
        assert as_of == date(2026, 3, 31)
        curve.setdefault(team, []).append((day.isoformat(), balance))
    # Alpha: 100 on as_of, 30 a day, 0 on 04-04 (the last 10 and a shortfall).
    assert curve["Alpha"] == [("2026-03-31", D(100)), ("2026-04-01", D(70)),
                              ("2026-04-02", D(40)), ("2026-04-03", D(10)),
                              ("2026-04-04", D(0))]
    # Beta: 860 less 4.667 a day; B1 still holds 439.970 on its end date 06-29.
    assert len(curve["Beta"]) == 92 and curve["Beta"][1] == ("2026-04-01", D("855.333"))
    assert curve["Beta"][-2:] == [("2026-06-29", D("439.970")), ("2026-06-30", D(0))]
    # Gamma: no use; 150 until G2 ends (06-30), 100 until G1 ends, 0 from 2027-01-01.
    gamma = dict(curve["Gamma"])
    assert (gamma["2026-06-30"], gamma["2026-07-01"], gamma["2026-12-31"]) == (150, 100, 100)
    assert curve["Gamma"][-1] == ("2027-01-01", D(0)) and len(curve["Gamma"]) == 277
    assert curve["Delta"] == [("2026-03-31", D(0))]  # holds nothing: one point


def test_each_alert_type_is_raised_with_its_numbers(warehouse):
    assert alerts(warehouse) == ALERTS
    assert rows(warehouse, "select distinct as_of_date, is_new from marts.fct_alerts") == [
        (date(2026, 3, 31), True)]  # no earlier run: every alert is new


@pytest.mark.parametrize(("setting", "value", "changed"), [
    # run_out_soon: 04-04 is as_of + 4.
    ("FLEXWH_ALERT_RUN_OUT_CRITICAL_DAYS", "4", {}),
    ("FLEXWH_ALERT_RUN_OUT_CRITICAL_DAYS", "3", {("Alpha", "run_out_soon", ""): "warning"}),
    ("FLEXWH_ALERT_RUN_OUT_DAYS", "4", {}),
    ("FLEXWH_ALERT_RUN_OUT_DAYS", "3", {("Alpha", "run_out_soon", ""): None}),
    # expiring_unused: B1 ends on as_of + 90, G2 on as_of + 91.
    ("FLEXWH_ALERT_EXPIRING_DAYS", "89", {("Beta", "expiring_unused", "B1"): None}),
    ("FLEXWH_ALERT_EXPIRING_DAYS", "91", {("Gamma", "expiring_unused", "G2"): "warning"}),
    # usage_spike: Beta used 140 in the last 7 days.
    ("FLEXWH_ALERT_SPIKE_MIN_TOKENS", "140", {}),
    ("FLEXWH_ALERT_SPIKE_MIN_TOKENS", "140.001", {("Beta", "usage_spike", ""): None}),
    # Alpha: 840 (210 × 4) against factor × 690: raised below 840 / 690 = 1.2173…
    ("FLEXWH_ALERT_SPIKE_FACTOR", "1.217", {("Alpha", "usage_spike", ""): "warning"}),
    ("FLEXWH_ALERT_SPIKE_FACTOR", "1.218", {}),
])
def test_each_threshold_at_its_edge(warehouse, tmp_path, setting, value, changed):
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    build(copy, "fct_alerts", **{setting: value})
    expected = {key: severity for key, (severity, _message) in ALERTS.items()}
    for key, severity in changed.items():
        if severity is None:
            expected.pop(key)
        else:
            expected[key] = severity
    assert {key: severity for key, (severity, _m) in alerts(copy).items()} == expected


def test_is_new_against_the_previous_successful_run(warehouse, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    run = ("insert into audit.runs (run_id, started_at, ended_at, as_of, \"trigger\", "
           "full_refresh, outcome, exit_code, files_loaded, files_rejected, rows_loaded, "
           "rows_rejected, checks_passed, checks_failed_error, checks_failed_warn, published) "
           "values (?, ?, ?, date '2026-03-30', 'cli', false, ?, ?, 0, 0, 0, 0, 0, 0, 0, ?)")
    raised = ("insert into audit.alerts_raised values (?, ?, date '2026-03-30', ?, ?, ?, "
              "'warning', true)")
    with duckdb.connect(str(copy)) as con:
        # R1 succeeded (exit 3) with Alpha's low balance and Delta's unallocated (then a
        # warning, now critical: a change of severity is not new). R2, later, failed: its
        # alerts do not count.
        con.execute(run, ["R1", "2026-03-31 02:00", "2026-03-31 02:10", "warnings", 3, True])
        con.execute(run, ["R2", "2026-03-31 03:00", "2026-03-31 03:10", "failed", 1, False])
        con.execute("insert into audit.alert_runs values ('R1', '2026-03-31 02:09'), "
                    "('R2', '2026-03-31 03:09')")
        # R3 succeeded later but never reached the alert step (no alert_runs row): it is
        # not the previous run.
        con.execute(run, ["R3", "2026-03-31 04:00", "2026-03-31 04:10", "success", 0, True])
        for key in [("Alpha", "low_balance", ""), ("Delta", "unallocated", "")]:
            con.execute(raised, ["R1", "2026-03-31 02:09", *key])
        for key in [("Beta", "usage_spike", "")]:
            con.execute(raised, ["R2", "2026-03-31 03:09", *key])
    build(copy, "fct_alerts")
    assert sorted(rows(copy, "select team, alert_type, is_new from marts.fct_alerts")) == [
        ("Alpha", "low_balance", False), ("Alpha", "run_out_soon", True),
        ("Beta", "expiring_unused", True), ("Beta", "usage_spike", True),
        ("Delta", "unallocated", False)]
