"""Team exports end to end: generated demo feeds plus two hand-made teams, one real run.

The hand-made teams (tests/fixtures/exports/landing, as of 2026-03-31, so the scheduled
range is last_12_months 2025-04-01 .. 2026-03-31), worked out by hand:
- Zeta & Co (personal data on): Z-001 Zoe (last name a formula) uses AutoCAD 7 and Revit
  10.5 on 2026-03-02; Z-002 Émile Dupré uses AutoCAD 0 on 2026-03-03 and 5 on 2025-03-15
  (before the range); Z-003 Max Mustermann is in the users feed only. Pack Z1 (Flex, 100)
  gives 17.5 used, 82.5 remaining, 0 expired; Z2 (AutoCAD) is no pack.
- Yota (personal data off): Y-1 Yann Tiersen uses Maya 3 on 2026-03-10.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from core.settings import Settings
from flexwh.cli import main
from tests.conftest import FIXTURES, TEST_HASH_KEY

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

AS_OF = "2026-03-31"
SUBSCRIPTIONS_HEADER = [
    "Team", "subscription_id", "contract_number", "offering_name", "seat_quantity",
    "start_date", "end_date", "subscription_status", "term", "autorenew_date",
    "reseller_name", "reseller_email", "Tokens used", "Tokens remaining", "Tokens expired",
]
USERS_HEADER = ["Team", "Autodesk ID", "Email", "First name", "Last name", "Role",
                "account_status", "Tokens used", "Days used", "Last used"]
USAGE_HEADER = ["Team", "Day used", "Product", "Version", "Tokens used", "Autodesk ID",
                "Email", "First name", "Last name"]
GUARDED_NAME = "'=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Settings:
    """Demo feeds (seed 42, ending on as_of) plus the hand-made teams, after `flexwh run`."""
    data = tmp_path_factory.mktemp("exports") / "data"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"FLEXWH_DATA_DIR": str(data), "FLEXWH_AS_OF": AS_OF,
                            "FLEXWH_HASH_KEY": TEST_HASH_KEY, "FLEXWH_THREADS": "2",
                            "FLEXWH_MEMORY_LIMIT": "1GB"}.items():
            patch.setenv(name, value)
        patch.delenv("FLEXWH_EXPORT_DIR", raising=False)
        settings = Settings.from_env()
        from sample_feeds import generate

        generate("demo", 42, end_date=date.fromisoformat(AS_OF), out=settings.landing_dir)
        shutil.copytree(FIXTURES / "exports" / "landing", settings.landing_dir,
                        dirs_exist_ok=True)
        assert main(["run"]) in (0, 3)  # the demo has WARN findings by design
        yield settings


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def team_folder(settings: Settings, slug: str) -> Path:
    latest = (settings.export_dir / slug / "LATEST").read_text().strip()
    assert latest == AS_OF
    return settings.export_dir / slug / latest


def test_named_team_files_hold_the_hand_worked_rows(warehouse):
    folder = team_folder(warehouse, "zeta-co")
    usage = read_csv(folder / "usage.csv")
    assert usage[0] == USAGE_HEADER
    assert usage[1:] == [
        ["Zeta & Co", "2026-03-02", "AutoCAD", "2026", "7", "Z-001", "z1@zeta.example", "Zoe",
         GUARDED_NAME],
        ["Zeta & Co", "2026-03-02", "Revit", "2026", "10.5", "Z-001", "z1@zeta.example", "Zoe",
         GUARDED_NAME],
        ["Zeta & Co", "2026-03-03", "AutoCAD", "2025", "0", "Z-002", "z2@zeta.example", "Émile",
         "Dupré"],
    ]
    users = read_csv(folder / "users.csv")
    assert users[0] == USERS_HEADER
    assert sorted(users[1:], key=lambda row: row[1]) == [
        ["Zeta & Co", "Z-001", "z1@zeta.example", "Zoe", GUARDED_NAME, "Admin", "Active",
         "17.5", "1", "2026-03-02"],
        ["Zeta & Co", "Z-002", "z2@zeta.example", "Émile", "Dupré", "", "", "0", "1",
         "2026-03-03"],
        ["Zeta & Co", "Z-003", "z3@zeta.example", "Max", "Mustermann", "User", "Active", "0",
         "0", ""],
    ]
    subscriptions = read_csv(folder / "subscriptions.csv")
    assert subscriptions[0] == SUBSCRIPTIONS_HEADER
    assert subscriptions[1:] == [
        ["Zeta & Co", "Z1", "C-9", "Autodesk Flex", "100", "2026-01-01", "2026-12-31", "Active",
         "Annual", "", "Reseller Ltd", "sales@reseller.example", "17.5", "82.5", "0"],
        ["Zeta & Co", "Z2", "C-8", "AutoCAD", "3", "2025-06-01", "2026-05-31", "Active",
         "Annual", "2026-06-01", "'=HYPERLINK(\"http://x\")", "sales@reseller.example", "", "",
         ""],
    ]


def test_hashed_team_files_show_keys_and_masks(warehouse):
    folder = team_folder(warehouse, "yota")
    usage = read_csv(folder / "usage.csv")
    assert usage[0] == [*USAGE_HEADER[:5], "hashed_autodesk_id", *USAGE_HEADER[6:]]
    assert usage[1] == ["Yota", "2026-03-10", "Maya", "2026", "3", user_key("Y-1"), "*****",
                        "*****", "*****"]
    assert read_csv(folder / "users.csv")[1] == [
        "Yota", user_key("Y-1"), "*****", "*****", "*****", "", "", "3", "1", "2026-03-10"]


def user_key(user_id: str) -> str:
    import hashlib
    import hmac

    return hmac.new(TEST_HASH_KEY.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:40]


def test_manifest_describes_every_file(warehouse):
    folder = team_folder(warehouse, "zeta-co")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["team"], manifest["team_slug"], manifest["as_of"]) == (
        "Zeta & Co", "zeta-co", AS_OF)
    assert (manifest["range_start"], manifest["range_end"], manifest["pii_mode"]) == (
        "2025-04-01", AS_OF, "named")
    import hashlib

    names = {entry["name"]: entry for entry in manifest["files"]}
    assert set(names) == {"subscriptions.csv", "users.csv", "usage.csv", "chargeback.csv",
                          "flex_report.xlsx", "alerts.json"}
    for name, entry in names.items():
        data = (folder / name).read_bytes()
        assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert names["usage.csv"]["rows"] == 3 and names["users.csv"]["rows"] == 3


def known_personal_strings(settings: Settings, team: str) -> set[str]:
    """Every name, e-mail address and Autodesk ID the feeds hold for `team`."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "select autodesk_id, hashed_autodesk_id, email, first_name, last_name "
            "from raw.usage where team = $team union all "
            "select autodesk_id, null, email, first_name, last_name from raw.users "
            "where team = $team", {"team": team}).fetchall()
    strings = set()
    for autodesk_id, hashed_id, email, first, last in rows:
        strings |= {value for value in (autodesk_id, hashed_id, email) if value}
        if first and last:
            strings.add(f"{first} {last}")
        # Names of 4 characters or more: "Li" or "Ana" also occur inside ordinary words.
        strings |= {name for name in (first, last) if name and len(name) >= 4}
    return strings


def every_text(path: Path) -> str:
    """The file's bytes as text, XLSX members unzipped, Parquet values and metadata decoded."""
    data = path.read_bytes()
    texts = [data.decode("utf-8", errors="ignore")]
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            texts += [archive.read(name).decode("utf-8", errors="ignore")
                      for name in archive.namelist()]
            texts += archive.namelist()
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        texts += [str(table.schema), json.dumps(table.to_pylist(), default=str)]
    return "\n".join([path.name, *texts])


def test_a_hashed_export_holds_no_personal_data_in_any_format(warehouse, capsys):
    team = "Northgate Civil"  # the demo's team with personal data off
    forbidden = known_personal_strings(warehouse, team)
    assert len(forbidden) > 50 and any("@" in value for value in forbidden)
    folders = [team_folder(warehouse, "northgate-civil")]
    for fmt in ("xlsx", "parquet", "csv"):
        assert main(["export", "--team", team, "--format", fmt, "--all-dates"]) == 0
        folders.append(Path(capsys.readouterr().out.strip().rsplit(" ", 1)[-1]))
    assert main(["export", "--team", team, "--reports", "chargeback,flex_fit"]) == 0
    folders.append(Path(capsys.readouterr().out.strip().rsplit(" ", 1)[-1]))
    files = [path for folder in folders for path in folder.iterdir()]
    assert {path.suffix for path in files} == {".csv", ".xlsx", ".parquet", ".json"}
    assert {"chargeback.csv", "flex_fit.csv"} <= {path.name for path in files}
    for path in files:
        text = every_text(path)
        leaks = sorted(value for value in forbidden if value in text)
        assert not leaks, f"{path}: {leaks[:5]}"


def test_a_named_export_of_a_personal_data_team_holds_the_names(warehouse, capsys):
    team = "Harbor & Finch Architects"
    known = known_personal_strings(warehouse, team)
    assert main(["export", "--team", team, "--format", "xlsx", "--pii", "named"]) == 0
    folder = Path(capsys.readouterr().out.strip().rsplit(" ", 1)[-1])
    text = every_text(folder / "flex_report.xlsx")
    emails = {value for value in known if "@" in value}
    assert emails and all(email in text for email in emails)


def test_several_teams_are_hashed_when_one_has_personal_data_off(warehouse, capsys):
    assert main(["export", "--team", "Zeta & Co", "--team", "Yota"]) == 0
    folder = Path(capsys.readouterr().out.strip().rsplit(" ", 1)[-1])
    assert folder.parent == warehouse.export_dir / "_multi"
    usage = read_csv(folder / "usage.csv")
    assert usage[0][5] == "hashed_autodesk_id"
    assert {row[0] for row in usage[1:]} == {"Zeta & Co", "Yota"}
    assert "Zoe" not in (folder / "usage.csv").read_text(encoding="utf-8-sig")
    assert json.loads((folder / "manifest.json").read_text())["pii_mode"] == "hashed"


@pytest.mark.parametrize("teams", [["Yota"], ["Zeta & Co", "Yota"]])
def test_named_output_is_refused_for_a_team_with_personal_data_off(warehouse, capsys, teams):
    args = [arg for team in teams for arg in ("--team", team)]
    assert main(["export", *args, "--pii", "named"]) == 2
    error = capsys.readouterr().err
    assert "'Yota' has personal data off" in error and len(error.strip().splitlines()) == 1


def test_a_custom_range_exports_only_its_days(warehouse, capsys):
    assert main(["export", "--team", "Zeta & Co", "--reports", "usage", "--from",
                 "2026-03-03", "--to", "2026-03-31", "--format", "parquet"]) == 0
    folder = Path(capsys.readouterr().out.strip().rsplit(" ", 1)[-1])
    assert sorted(path.name for path in folder.iterdir()) == ["manifest.json", "usage.parquet"]
    rows = pq.read_table(folder / "usage.parquet").to_pylist()
    assert [(row["Day used"], str(row["Tokens used"]), row["Autodesk ID"]) for row in rows] == [
        (date(2026, 3, 3), "0.000", "Z-002")]


def test_an_unknown_team_is_a_usage_error(warehouse, capsys):
    assert main(["export", "--team", "Nobody"]) == 2
    assert "'Nobody' is not in the warehouse" in capsys.readouterr().err


def test_all_teams_in_one_export(warehouse, capsys):
    assert main(["export", "--all-teams", "--reports", "subscriptions", "--format", "csv"]) == 0
    folder = Path(capsys.readouterr().out.strip().rsplit(" ", 1)[-1])
    assert folder.parent == warehouse.export_dir / "_multi"
    rows = read_csv(folder / "subscriptions.csv")[1:]
    # The demo's four teams and the two hand-made ones; Zeta's reseller e-mail is masked
    # because personal data is off for some of them.
    assert {row[0] for row in rows} >= {"Zeta & Co", "Northgate Civil",
                                        "Harbor & Finch Architects"}
    assert {row[11] for row in rows if row[0] == "Zeta & Co"} == {"*****"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["pii_mode"] == "hashed" and len(manifest["team"]) == 6


def test_export_folders_are_0750_and_files_0640_from_the_export_root_down(warehouse):
    import stat

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    root = warehouse.export_dir
    folder = team_folder(warehouse, "zeta-co")
    assert [mode(path) for path in (root, folder.parent, folder)] == [0o750] * 3
    assert {mode(path) for path in folder.iterdir()} == {0o640}
    assert mode(folder.parent / "LATEST") == 0o640


def test_nothing_holding_personal_data_is_world_readable_after_a_run(warehouse):
    import stat

    serving = warehouse.serving_dir / "flex_reporting.duckdb"
    held = [warehouse.data_dir, warehouse.warehouse, warehouse.archive_dir, serving,
            *warehouse.archive_dir.rglob("*"), *warehouse.serving_dir.rglob("*")]
    open_to_all = [str(path) for path in held if path.stat().st_mode & stat.S_IRWXO]
    assert open_to_all == []
    assert len(held) > 10


# Yota's usage rows carry names and e-mail addresses (personal data off in its settings);
# Northgate Civil's arrive hashed, its users feed has them.
@pytest.mark.parametrize("team", ["Yota", "Northgate Civil"])
def test_the_serving_database_holds_no_personal_data_of_a_hashed_team(warehouse, team):
    forbidden = known_personal_strings(warehouse, team)
    serving = warehouse.serving_dir / "flex_reporting.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        schemas = {schema for (schema,) in con.execute(
            "select distinct schema_name from duckdb_tables()").fetchall()}
        columns = con.execute("select schema_name, table_name, column_name "
                              "from duckdb_columns()").fetchall()
        team_tables = sorted({f'{schema}."{table}"' for schema, table, column in columns
                              if column == "team"})
        texts = [json.dumps(con.execute(f"select * from {table} where team = ?",
                                        [team]).fetchall(), default=str, ensure_ascii=False)
                 for table in team_tables]
    # no raw, staging, intermediate or audit schema; the `exports` schema holds what exports
    # show, with personal data only for teams that allow it
    assert schemas == {"main", "exports"}
    assert not {column for schema, _, column in columns if schema == "main"} & {
        "autodesk_id", "hashed_autodesk_id", "email", "first_name", "last_name"}
    assert len(team_tables) >= 12
    text = "\n".join(texts)
    assert team in text
    assert not sorted(value for value in forbidden if value in text)


def test_the_summary_carries_the_forecast_of_the_serving_database(warehouse):
    import openpyxl

    from exports.queries import FORECAST_LABELS

    served = warehouse.serving_dir / "flex_reporting.duckdb"
    with duckdb.connect(str(served), read_only=True) as con:
        teams = con.execute(f"select team, {', '.join(FORECAST_LABELS)} "
                            "from main.rpt_team_forecast order by team").fetchall()
    slugs = {}
    for manifest in warehouse.export_dir.glob(f"*/{AS_OF}/manifest.json"):
        document = json.loads(manifest.read_text())
        slugs[document["team"]] = document["team_slug"]
    assert any(row[2] is not None for row in teams)  # a team runs out within the horizon
    for team, *values in teams:
        book = openpyxl.load_workbook(team_folder(warehouse, slugs[team]) / "flex_report.xlsx")
        items = {row[0]: row[1] for row in book["Summary"].iter_rows(min_col=1, max_col=2,
                                                                       values_only=True)}
        shown = [items[label] for label in FORECAST_LABELS.values()]
        shown = [v.date() if hasattr(v, "date") else v for v in shown]
        # No run-out date (burn 0 or covered for 3 years) is said in words, not left blank.
        assert shown == [float(v) if isinstance(v, Decimal) else
                         "not within 3 years" if v is None else v for v in values], team


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def text_of(value) -> str:
    """exports.md's CSV text of a value: decimals without trailing zeros, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def test_chargeback_and_flex_fit_on_demand_equal_the_serving_marts(warehouse, capsys):
    team = "Harbor & Finch Architects"  # personal data on: the flex fit names its users
    assert main(["export", "--team", team, "--reports", "chargeback,flex_fit",
                 "--format", "csv"]) == 0
    folder = Path(capsys.readouterr().out.strip().rsplit(" ", 1)[-1])
    serving = warehouse.serving_dir / "flex_reporting.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        chargeback = con.execute(
            "select team, month, cost_center, tokens_used, users, amount, currency "
            "from main.rpt_chargeback_monthly where team = ? order by month, cost_center",
            [team]).fetchall()
        flex_fit = con.execute(
            "select team, user_name, product_name, days_used, tokens_used, flex_cost, "
            "subscription_cost, currency, recommendation, savings from main.rpt_flex_fit "
            "where team = ? order by savings desc, user_key, product_name", [team]).fetchall()
    assert chargeback and flex_fit
    rows = csv_rows(folder / "chargeback.csv")
    assert rows[0] == ["Team", "Month", "Cost center", "Tokens used", "Users", "Amount",
                       "Currency"]
    assert rows[1:] == [[text_of(value) for value in row] for row in chargeback]
    rows = csv_rows(folder / "flex_fit.csv")
    assert rows[0] == ["Team", "User", "Product", "Days used", "Tokens used", "Flex cost",
                       "Subscription cost", "Currency", "Recommendation", "Savings"]
    assert rows[1:] == [[text_of(value) for value in row] for row in flex_fit]


def test_the_workbook_has_chargeback_and_flex_fit_sheets_with_the_chart(warehouse):
    import openpyxl

    book_path = team_folder(warehouse, "northgate-civil") / "flex_report.xlsx"
    book = openpyxl.load_workbook(book_path, read_only=True)
    assert book.sheetnames[:5] == ["Summary", "By product", "By user", "Chargeback",
                                   "Flex fit"]
    header = next(book["Flex fit"].iter_rows(max_row=1, values_only=True))
    assert header[:3] == ("Team", "hashed_autodesk_id", "Product")  # a hashed team
    with zipfile.ZipFile(book_path) as archive:
        charts = [archive.read(name).decode("utf-8") for name in archive.namelist()
                  if name.startswith("xl/charts/chart")]
    stacked = [xml for xml in charts if '<c:grouping val="stacked"/>' in xml]
    assert len(stacked) == 1 and "Amount per cost centre and month" in stacked[0]
