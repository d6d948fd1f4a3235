"""Scheduled exports written for all teams at once (DuckDB's COPY, cells rendered in SQL)
equal, byte for byte, what the one-team writer (exports/folder.py, Python cell by cell)
writes from the same serving database: hostile text of every kind included.

The serving database is made here table by table, so every column kind the exports read
(text, decimals, integers, dates, booleans, NULL) meets the values that break writers:
formula triggers, XML-illegal control characters, quotes, separators, line breaks,
leading and trailing (Unicode) spaces, characters outside the BMP, text over Excel's
cell limit, -0, and teams with no rows.
"""

from __future__ import annotations

import json
import random
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from exports.fingerprints import INPUTS
from exports.folder import ExportRequest, write_export
from exports.queries import HASHED, NAMED, SCHEDULED_CSV, ExportScope
from exports.scheduled import stage_scheduled_exports
from exports.slugs import team_slugs

AS_OF = date(2026, 3, 31)
START = date(2025, 4, 1)
HOSTILE = [
    "=SUM(A1)", "+1", "-2", "@x", "\tlead tab", "\rcarriage", "plain", "", " lead",
    "trail ", "\u00a0nbsp\u00a0", "\u3000ideo", "a\u2028b", "tail\u2029", 'quote "q"',
    "comma, here", "line\nbreak", "cr\r\nlf", "amp & <lt> >gt", "ctl\x01\x02\x1f end",
    "\x0bvt", "Flex #2", "emoji \U0001F600", "Émile Dupré", "'already", "x" * 40_000,
    "\U0001F600" * 17_000, "=" + "y" * 33_000, "\x85next", "end\t",
]
TOKENS = [Decimal("0"), Decimal("-0.000"), Decimal("7.500"), Decimal("-3.250"),
          Decimal("681486979.787"), Decimal("100.000"), Decimal("0.001"), None]


def _text(rng: random.Random) -> str | None:
    return rng.choice([*HOSTILE, None]) if rng.random() < 0.5 else f"v{rng.randrange(999)}"


def build_serving(path: Path, seed: int) -> list[str]:
    """A serving database with three named teams, two hashed ones and one without rows."""
    rng = random.Random(seed)
    teams = ["Zeta & Co", "Alpha", "=Evil, \"Team\"", "Yota", "Émile's", "Empty Team"]
    named = {"Zeta & Co": True, "Alpha": True, "=Evil, \"Team\"": True, "Yota": False,
             "Émile's": False, "Empty Team": False}
    con = duckdb.connect(str(path))
    con.execute("create schema exports")
    con.execute("create table main.dim_team (team varchar, pii_enabled boolean, "
                "first_usage_day date, last_usage_day date)")
    con.execute("create table main.dim_report_window (window_key varchar, as_of_date date, "
                "start_date date, end_date date, months integer)")
    con.execute("insert into main.dim_report_window values "
                "('last_12_months', ?, ?, date '2026-02-28', 12)", [AS_OF, START])
    con.execute("create table exports.exp_user_directory (team varchar, user_key varchar, "
                "pii_enabled boolean, autodesk_id varchar, email varchar, first_name varchar, "
                "last_name varchar, role varchar, account_status varchar, "
                "in_users_feed boolean)")
    con.execute("create table exports.exp_subscriptions (team varchar, subscription_id "
                "varchar, contract_number varchar, offering_name varchar, seat_quantity "
                "bigint, start_date date, end_date date, subscription_status varchar, term "
                "varchar, autorenew_date date, reseller_name varchar, reseller_email varchar, "
                "tokens_consumed decimal(18,3), tokens_remaining decimal(18,3), "
                "tokens_expired decimal(18,3))")
    con.execute("create table main.fct_daily_usage (team varchar, day_used date, user_key "
                "varchar, product_name varchar, version varchar, tokens_used decimal(18,3))")
    con.execute("create table main.rpt_usage_by_product (team varchar, window_key varchar, "
                "as_of_date date, product_name varchar, total_users bigint, total_tokens "
                "decimal(18,3), avg_tokens_per_month decimal(18,2))")
    con.execute("create table main.rpt_usage_by_user (team varchar, window_key varchar, "
                "as_of_date date, user_key varchar, user_name varchar, user_email varchar, "
                "products_used bigint, product_names varchar, total_tokens decimal(18,3), "
                "avg_tokens_per_month decimal(18,2), days_used bigint, days_in_window bigint)")
    con.execute("create table main.rpt_team_overview (team varchar, as_of_date date, "
                "tokens_available decimal(18,3), tokens_used_active decimal(18,3), "
                "tokens_total_active decimal(18,3), tokens_added_7d decimal(18,3), "
                "tokens_removed_7d decimal(18,3), token_events_90d bigint, "
                "tokens_unallocated decimal(18,3), low_balance boolean, "
                "expiring_90d decimal(18,3))")
    con.execute("create table main.rpt_daily_usage_365 (team varchar, day date, "
                "tokens_used decimal(18,3))")
    con.execute("create table main.rpt_product_token_distribution (team varchar, window_key "
                "varchar, as_of_date date, product_name varchar, bucket varchar, "
                "bucket_order integer, users bigint)")
    con.execute("create table main.rpt_chargeback_monthly (team varchar, month date, "
                "cost_center varchar, tokens_used decimal(18,3), users bigint, "
                "amount decimal(18,2), currency varchar)")
    con.execute("create table main.rpt_flex_fit (team varchar, as_of_date date, user_key "
                "varchar, user_name varchar, product_name varchar, days_used bigint, "
                "tokens_used decimal(18,3), flex_cost decimal(18,2), subscription_cost "
                "decimal(18,2), currency varchar, recommendation varchar, savings "
                "decimal(18,2))")
    con.execute("create table main.fct_alerts (team varchar, as_of_date date, alert_type "
                "varchar, subject varchar, severity varchar, message varchar, is_new boolean)")
    con.execute("insert into main.fct_alerts values (?, ?, 'unallocated', '', 'critical', ?, "
                "true)", [teams[2], AS_OF, "12.000 tokens were consumed with no pack."])
    for team in teams:
        con.execute("insert into main.dim_team values (?, ?, ?, ?)",
                    [team, named[team], START, AS_OF])
        if team == "Empty Team":
            continue
        users = [f"K{rng.randrange(10**6):06d}" for _ in range(12)]
        for key in users:
            con.execute("insert into exports.exp_user_directory values "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [team, key, named[team], _text(rng), _text(rng), _text(rng),
                         _text(rng), _text(rng), _text(rng), rng.random() < 0.7])
        for number in range(3):
            con.execute("insert into exports.exp_subscriptions values "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [team, f"S{number}{_text(rng) or ''}"[:50], _text(rng), _text(rng),
                         rng.choice([0, 3, None]), START, rng.choice([AS_OF, None]),
                         _text(rng), _text(rng), None, _text(rng), _text(rng),
                         rng.choice(TOKENS), rng.choice(TOKENS), rng.choice(TOKENS)])
        seen = set()
        for _ in range(300):
            day = START + timedelta(days=rng.randrange(-30, 366))
            grain = (day, rng.choice(users), rng.choice(["AutoCAD", "=Revit", "Maya, 3D"]),
                     rng.choice(["2026", " 2025", "v\x01"]))
            if grain not in seen:
                seen.add(grain)
                con.execute("insert into main.fct_daily_usage values (?, ?, ?, ?, ?, ?)",
                            [team, *grain, rng.choice([t for t in TOKENS if t is not None])])
        for product in ["AutoCAD", "=Revit", "\x02Maya"]:
            con.execute("insert into main.rpt_usage_by_product values "
                        "(?, 'last_12_months', ?, ?, ?, ?, ?)",
                        [team, AS_OF, product, rng.randrange(9), rng.choice(TOKENS),
                         Decimal("12.50")])
            for order, bucket in enumerate(["0-10", "10-100", "100+"]):
                con.execute("insert into main.rpt_product_token_distribution values "
                            "(?, 'last_12_months', ?, ?, ?, ?, ?)",
                            [team, AS_OF, product, bucket, order, rng.randrange(5)])
        for month in (date(2025, 3, 1), date(2026, 3, 1)):
            for center in ("(unassigned)", "=CC 1", _text(rng) or "CC 2"):
                con.execute("insert into main.rpt_chargeback_monthly values "
                            "(?, ?, ?, ?, ?, ?, ?)",
                            [team, month, center, rng.choice(TOKENS[:-1]), 2,
                             rng.choice([Decimal("1234.50"), None]),
                             rng.choice(["USD", None])])
        for key in users[:4]:
            con.execute("insert into main.rpt_flex_fit values "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [team, AS_OF, key, _text(rng), "=Revit", 3, rng.choice(TOKENS),
                         Decimal("12.34"), rng.choice([Decimal("500.00"), None]), "USD",
                         rng.choice(["flex", "unknown"]), Decimal("0.00")])
        for key in users[:6]:
            con.execute("insert into main.rpt_usage_by_user values "
                        "(?, 'last_12_months', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [team, AS_OF, key, _text(rng), _text(rng), 2, _text(rng),
                         rng.choice(TOKENS), Decimal("-0.50"), 3, 334])
        con.execute("insert into main.rpt_team_overview values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [team, AS_OF, Decimal("10593.000"), Decimal("49.5"), Decimal("364.17"),
                     Decimal("0"), Decimal("-0.000"), 4, Decimal("1.5"), rng.random() < 0.5,
                     Decimal("0.001")])
        for offset in range(0, 365, 7):
            con.execute("insert into main.rpt_daily_usage_365 values (?, ?, ?)",
                        [team, AS_OF - timedelta(days=offset), Decimal("2.250")])
    con.close()
    return teams


def reference_folder(con, team: str, pii_enabled: bool, slugs: dict[str, str],
                     out: Path, as_of: date = AS_OF) -> Path:
    """The folder exports/folder.py writes for one team (the Python, cell by cell path)."""
    scope = ExportScope((team,), START, as_of, NAMED if pii_enabled else HASHED)
    out.mkdir(parents=True)
    write_export(con, out, ExportRequest(scope=scope, slugs=slugs, reports=SCHEDULED_CSV),
                 as_of.isoformat())
    return out


def workbook_members(path: Path) -> dict[str, bytes]:
    """Every member of the workbook but docProps/core.xml (it holds the time of writing)."""
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()
                if name != "docProps/core.xml"}


@pytest.mark.parametrize("seed", [1, 2])
def test_every_file_equals_the_one_team_writer(tmp_path, seed):
    database = tmp_path / "serving.duckdb"
    teams = build_serving(database, seed)
    con = duckdb.connect(str(database), read_only=True)
    staged = stage_scheduled_exports(con, tmp_path / "batch", retention_days=30)
    staged.commit()
    slugs = team_slugs(teams)
    pii = dict(con.execute("select team, pii_enabled from main.dim_team").fetchall())
    for team in teams:
        slug = slugs[team]
        batch = tmp_path / "batch" / slug / AS_OF.isoformat()
        reference = reference_folder(con, team, pii[team], slugs, tmp_path / "ref" / slug)
        names = sorted(path.name for path in reference.iterdir())
        # Scheduled folders also hold the team's alerts (on-demand exports do not).
        assert sorted(path.name for path in batch.iterdir()) == sorted([*names, "alerts.json"])
        alerts = json.loads((batch / "alerts.json").read_text(encoding="utf-8"))
        assert [(a["team"], a["alert_type"], a["is_new"]) for a in alerts] == (
            [(team, "unallocated", True)] if team == teams[2] else [])
        for name in names:
            if name.endswith(".csv"):
                assert (batch / name).read_bytes() == (reference / name).read_bytes(), \
                    f"{team}: {name}"
        assert workbook_members(batch / "flex_report.xlsx") == \
            workbook_members(reference / "flex_report.xlsx"), team
        manifest = _stable((batch / "manifest.json").read_text())
        expected = _stable((reference / "manifest.json").read_text())
        [alerts_entry] = [e for e in manifest["files"] if e["name"] == "alerts.json"]
        assert alerts_entry["rows"] == len(alerts)
        manifest["files"].remove(alerts_entry)
        # created_at and the workbook's checksum differ with the time of writing.
        assert manifest == expected, team
    # The COPY output went into the folders; nothing is left beside them.
    assert not [p for p in (tmp_path / "batch").iterdir() if p.name.startswith(".")]


def _stable(manifest: str) -> dict:
    import json

    document = json.loads(manifest)
    document.pop("created_at")
    document.pop(INPUTS, None)  # what scheduled exports are made of (fingerprints.py)
    for entry in document["files"]:
        if entry["name"].endswith(".xlsx"):
            entry.pop("sha256")
            entry.pop("bytes")
    return document


def test_the_hostile_values_reach_the_files(tmp_path):
    """The comparison above is not vacuous: the files hold the hostile text."""
    database = tmp_path / "serving.duckdb"
    build_serving(database, 1)
    con = duckdb.connect(str(database), read_only=True)
    stage_scheduled_exports(con, tmp_path / "batch", retention_days=30).commit()
    usage = (tmp_path / "batch" / "zeta-co" / AS_OF.isoformat() / "users.csv").read_bytes()
    assert usage.startswith(b"\xef\xbb\xbfTeam,")
    everything = b"".join(path.read_bytes() for path in (tmp_path / "batch").rglob("*.csv"))
    for needle in (b"'=SUM(A1)", b'"quote ""q"""', b'"line\nbreak"', b"x" * 40_000,
                   "Émile".encode()):
        assert needle in everything
