"""What each file of a team's export is made of, as a fingerprint: equal fingerprints mean
equal files, so a file whose fingerprint did not change since the team's last published
folder is linked from there instead of written again.

A file's fingerprint covers the rows of every statement it shows (a count and an
order-free sum of row hashes per team, one grouped query per statement for all teams, in
DuckDB), what its header and Summary depend on (team, slug, mode, range, as_of) and the
code that renders it (a digest of the exports package's source).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import duckdb
import xlsxwriter

from exports import queries
from exports.alerts_file import ALERTS_FILE, ALERTS_SQL
from exports.manifest import MANIFEST
from exports.queries import REPORTS, SCHEDULED_CSV, SCREENS, ExportScope, Statement

INPUTS = "inputs"  # the manifest's key: the fingerprint of every file of the folder
WORKBOOK_FILE = "flex_report.xlsx"
SUMMARY_SQL = {
    "overview": "select team, as_of_date, {overview} from main.rpt_team_overview",
    "daily": "select team, day, tokens_used from main.rpt_daily_usage_365",
    "distribution": "select team, product_name, bucket, bucket_order, users "
                    "from main.rpt_product_token_distribution where window_key = $window",
    "alerts": ALERTS_SQL,
    "forecast": "select team, {forecast} from main.rpt_team_forecast",
    "balance": "select team, day, projected_balance from main.rpt_team_balance_projection",
}
# Marts a serving database published by an earlier release may lack.
NEWER_MARTS = {"forecast": "rpt_team_forecast", "balance": "rpt_team_balance_projection"}


@cache
def code_digest() -> str:
    """The exports package's source: a change in how files are rendered renews them all."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    # The libraries that write the bytes: an upgrade may write them otherwise.
    digest.update(f"duckdb {duckdb.__version__} xlsxwriter {xlsxwriter.__version__}".encode())
    return digest.hexdigest()


def _grouped(con: duckdb.DuckDBPyConnection, sql: str, params: dict
             ) -> dict[str, tuple[int, int]]:
    """(rows, sum of row hashes) of each team of a query whose first column is the team."""
    width = len(con.execute(f"select * from ({sql}) limit 0", params).description)
    names = [f"c{index}" for index in range(width)]
    rows = con.execute(f"select c0, count(*), sum(hash({', '.join(names)})::hugeint) "
                       f"from ({sql}) as q({', '.join(names)}) group by c0", params).fetchall()
    return {team: (int(count), int(total)) for team, count, total in rows}


def _statement_rows(con: duckdb.DuckDBPyConnection, statement: Statement, scope: ExportScope
                    ) -> dict[str, tuple[int, int]]:
    # With each row's place in its team (sheet_row): the order is by keys a file may not
    # show (user_key), and a new order is a new file.
    return _grouped(con, statement.sql(sheet_row=True, ordered=False),
                    queries.params(statement, scope))


def team_fingerprints(con: duckdb.DuckDBPyConnection, scope: ExportScope, as_of: str,
                      slugs: dict[str, str]) -> dict[str, dict[str, str]]:
    """{team: {file name: fingerprint}} for the CSV files and the workbook of every team
    of the scope (one personal-data mode)."""
    if not scope.teams:
        return {}
    parts: dict[str, dict[str, tuple[int, int]]] = {}
    for name in (*SCREENS, *REPORTS):
        parts[name] = _statement_rows(con, queries.STATEMENTS[name](scope.pii_mode), scope)
    overview = ", ".join(queries.OVERVIEW_LABELS)
    forecast = ", ".join(queries.FORECAST_LABELS)
    for name, sql in SUMMARY_SQL.items():
        if name in NEWER_MARTS and not queries.has_table(con, NEWER_MARTS[name]):
            continue
        parts[name] = _grouped(con, sql.format(overview=overview, forecast=forecast),
                               {"window": queries.SUMMARY_WINDOW} if "$window" in sql else {})
    fingerprints = {}
    for team in scope.teams:
        # A CSV file is its header (the mode) and its rows: the range and as_of reach it
        # only through the rows. The workbook's Summary also shows the range and as_of.
        about = {"code": code_digest(), "mode": scope.pii_mode, "team": team}
        rows = {name: parts[name].get(team, (0, 0)) for name in parts}
        files = {f"{report}.csv": _digest({**about, "rows": rows[report]})
                 for report in SCHEDULED_CSV}
        files[ALERTS_FILE] = _digest({**about, "rows": rows["alerts"]})
        files[WORKBOOK_FILE] = _digest({**about, "slug": slugs[team], "as_of": as_of,
                                        "start": scope.start.isoformat(),
                                        "end": scope.end.isoformat(), "rows": rows})
        fingerprints[team] = files
    return fingerprints


def _digest(document: dict) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_inputs(folder: Path) -> dict[str, str]:
    """The fingerprints a published folder's manifest records; {} when unknown."""
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    inputs = document.get(INPUTS) if isinstance(document, dict) else None
    return inputs if isinstance(inputs, dict) else {}
