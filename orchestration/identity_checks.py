"""The WARN check of feeds.md "User identity": e-mails that belong to several Autodesk IDs.

Such an e-mail is not resolved: its e-mail-only usage counts as a user of its own. The
check names each team and how many of its e-mails are ambiguous, never the addresses.
"""

# No `from __future__ import annotations`: Dagster reads the resource parameter
# annotations of the decorated function at definition time.
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from orchestration.expectations import WARN
from orchestration.resources import WarehouseResource

EMAIL_IDS = AssetKey(["intermediate", "int_email_autodesk_ids"])
AMBIGUOUS_EMAILS = """
select team, count(*) from intermediate.int_email_autodesk_ids
where autodesk_id_count > 1 group by team
"""


# Teams named in the one-line description; the metadata counts them all.
TEAMS_NAMED = 10


def ambiguity_text(teams: list[tuple[str, int]]) -> str | None:
    """'... not resolved: Acme 2, Beta 1', None if none; the teams with the most such
    e-mails first, at most TEAMS_NAMED of them."""
    if not teams:
        return None
    ranked = sorted(teams, key=lambda item: (-item[1], item[0]))
    counts = ", ".join(f"{team} {count}" for team, count in ranked[:TEAMS_NAMED])
    more = len(ranked) - TEAMS_NAMED
    counts += f" and {more} more teams" if more > 0 else ""
    return f"e-mails of several Autodesk IDs, usage under them not resolved: {counts}"


@asset_check(
    asset=EMAIL_IDS,
    name="emails_resolve_to_one_autodesk_id",
    description="Every e-mail address of a team belongs to at most one Autodesk ID "
                "(feeds.md, User identity); names the teams and how many do not.",
    metadata={"severity": WARN},
)
def emails_resolve_to_one_autodesk_id(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        teams = con.execute(AMBIGUOUS_EMAILS).fetchall()
    return AssetCheckResult(
        passed=not teams,
        severity=AssetCheckSeverity.WARN,
        description=ambiguity_text(teams),
        metadata={"teams": len(teams), "ambiguous_emails": sum(n for _, n in teams)},
    )
