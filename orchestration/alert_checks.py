"""The WARN check of insights.md's alerts: names the teams with critical alerts."""

# No `from __future__ import annotations`: Dagster reads the resource annotations.
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from orchestration.expectations import WARN
from orchestration.identity_checks import TEAMS_NAMED
from orchestration.resources import WarehouseResource

ALERTS = AssetKey(["marts", "fct_alerts"])
CRITICAL = """
select team, string_agg(alert_type, ', ' order by alert_type) from marts.fct_alerts
where severity = 'critical' group by team order by team
"""


def critical_text(teams: list[tuple[str, str]]) -> str | None:
    if not teams:
        return None
    named = "; ".join(f"{team} ({kinds})" for team, kinds in teams[:TEAMS_NAMED])
    more = len(teams) - TEAMS_NAMED
    return "critical alerts: " + named + (f"; and {more} more teams" if more > 0 else "")


@asset_check(
    asset=ALERTS,
    name="no_critical_alerts",
    description="No team has a critical alert (insights.md: run_out_soon within the "
                "critical days, unallocated consumption); names the teams that have.",
    metadata={"severity": WARN},
)
def no_critical_alerts(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        teams = con.execute(CRITICAL).fetchall()
    return AssetCheckResult(passed=not teams, severity=AssetCheckSeverity.WARN,
                            description=critical_text(teams), metadata={"teams": len(teams)})
