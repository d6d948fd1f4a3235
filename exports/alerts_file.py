"""alerts.json of a team's export folder: the team's alerts of fct_alerts (insights.md),
critical first; `[]` when there are none. Alerts carry no personal data."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

ALERTS_FILE = "alerts.json"
COLUMNS = ("team", "as_of_date", "alert_type", "subject", "severity", "message", "is_new")
# The rows of every team, team first (fingerprints group by it).
ALERTS_SQL = f"select {', '.join(COLUMNS)} from main.fct_alerts"
ORDER = "order by severity = 'critical' desc, alert_type, subject"


def write_alerts_file(con: duckdb.DuckDBPyConnection, team: str, folder: Path) -> int:
    """Write folder/alerts.json for `team`; the number of alerts."""
    rows = con.execute(f"{ALERTS_SQL} where team = ? {ORDER}", [team]).fetchall()
    alerts = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    text = json.dumps(alerts, indent=2, ensure_ascii=False, default=str)
    (folder / ALERTS_FILE).write_text(text + "\n", encoding="utf-8")
    return len(alerts)
