"""Usage rows laid out as Autodesk delivers them: three header styles, per day or month.

- `legacy`: the Token usage export before 2026 (snake_case, with the Autodesk ID);
- `title`: the same export from 2026 on (Title case, no Autodesk ID: e-mail identifies);
- `aps`: APS Insights API pulls (camelCase), for teams that automate their reporting.
A team with personal data off gets hashed IDs and masked names, as Autodesk shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .activity import UsageRows
from .dates import month_index
from .population import Population

MASK = "*****"
# (header, source) per style and personal-data setting; sources are built in columns().
STYLES: dict[tuple[str, bool], tuple[tuple[str, str], ...]] = {
    ("legacy", True): (
        ("team_alias", "team"), ("usage_date", "day"), ("product_name", "product"),
        ("product_version", "version"), ("tokens_used", "tokens"),
        ("autodesk_id", "autodesk_id"), ("email", "email"), ("first_name", "first"),
        ("last_name", "last")),
    ("legacy", False): (
        ("team_alias", "team"), ("usage_date", "day"), ("product_name", "product"),
        ("product_version", "version"), ("tokens_used", "tokens"),
        ("hashed_autodesk_id", "hashed_id"), ("email", "mask"), ("first_name", "mask"),
        ("last_name", "mask")),
    ("title", True): (
        ("Team", "team"), ("Day used", "day"), ("Product", "product"),
        ("Version", "version"), ("Tokens used", "tokens"), ("Email", "email"),
        ("First name", "first"), ("Last name", "last")),
    ("title", False): (
        ("Team", "team"), ("Day used", "day"), ("Product", "product"),
        ("Version", "version"), ("Tokens used", "tokens"),
        ("Hashed Autodesk ID", "hashed_id"), ("Email", "mask"), ("First name", "mask"),
        ("Last name", "mask")),
    ("aps", True): (
        ("teamName", "team"), ("usageDate", "day_time"), ("productName", "product"),
        ("productVersion", "version"), ("tokensConsumed", "tokens_decimal"),
        ("userId", "autodesk_id"), ("emailAddress", "email"), ("firstName", "first"),
        ("lastName", "last")),
    ("aps", False): (
        ("teamName", "team"), ("usageDate", "day_time"), ("productName", "product"),
        ("productVersion", "version"), ("tokensConsumed", "tokens_decimal"),
        ("hashedUserId", "hashed_id"), ("emailAddress", "null"), ("firstName", "null"),
        ("lastName", "null")),
}
STYLE_CODES = ("legacy", "title", "aps")
# The feeds.md usage column each header of STYLES fills: the generator's own table, so the
# sample feeds do not borrow the header aliases of the ingest code they test.
CANONICAL_COLUMNS = {
    **dict.fromkeys(("team_alias", "Team", "teamName"), "team"),
    **dict.fromkeys(("usage_date", "Day used", "usageDate"), "day_used"),
    **dict.fromkeys(("product_name", "Product", "productName"), "product_name"),
    **dict.fromkeys(("product_version", "Version", "productVersion"), "version"),
    **dict.fromkeys(("tokens_used", "Tokens used", "tokensConsumed"), "tokens_used"),
    **dict.fromkeys(("autodesk_id", "userId"), "autodesk_id"),
    **dict.fromkeys(("hashed_autodesk_id", "Hashed Autodesk ID", "hashedUserId"),
                    "hashed_autodesk_id"),
    **dict.fromkeys(("email", "Email", "emailAddress"), "email"),
    **dict.fromkeys(("first_name", "First name", "firstName"), "first_name"),
    **dict.fromkeys(("last_name", "Last name", "lastName"), "last_name"),
}
BULK_FOLDERS = {"legacy": "token-usage-legacy", "title": "token-usage", "aps": "aps-insights"}


@dataclass
class UsageFile:
    path: str  # relative to the landing folder
    style: str
    pii: bool
    rows: np.ndarray  # indices into UsageRows, in file order
    xlsx: bool = False


def plan_files(rows: UsageRows, pop: Population, days: list[date], rename: int,
               per_team: bool, aps_daily_days: int) -> list[UsageFile]:
    """Assign every row to one file; each (team, day) lands in exactly one file."""
    n_days = len(days)
    teams = pop.teams
    channel_aps = np.array([t.channel == "aps" for t in teams])[rows.team]
    style = np.where(channel_aps, 2, np.where(rows.day < rename, 0, 1))
    pii = np.array([t.pii for t in teams])[rows.team]
    if per_team:
        # Exports are pulled per team and month; API pulls run nightly near the end.
        daily = channel_aps & (rows.day >= n_days - aps_daily_days)
        group = rows.team.astype(np.int64)
    else:
        daily = np.ones(len(rows.day), dtype=bool)
        group = style * 2 + pii
    period = np.where(daily, 10_000 + rows.day, month_index(days)[rows.day])
    keys, file_of_row = np.unique(group * 100_000 + period, return_inverse=True)
    n_pairs = int(rows.pair.max()) + 1 if len(rows.pair) else 1
    order_key = ((file_of_row.astype(np.int64) * n_days + rows.day) * n_pairs
                 + rows.pair) * 2 + rows.second
    order = np.argsort(order_key, kind="stable")
    bounds = np.searchsorted(file_of_row[order], np.arange(len(keys) + 1))
    files = []
    for f in range(len(keys)):
        idx = order[bounds[f]:bounds[f + 1]]
        first = idx[0]
        code, team = STYLE_CODES[style[first]], teams[rows.team[first]]
        files.append(UsageFile(
            _path(code, team.slug, bool(pii[first]), days[rows.day[first]],
                  bool(daily[first]), per_team), code, bool(pii[first]), idx))
    return files


def _path(style: str, slug: str, pii: bool, day: date, daily: bool, per_team: bool) -> str:
    stamp = day.isoformat() if daily else day.strftime("%Y-%m")
    if not per_team:
        named = "named" if pii else "hashed"
        return f"usage/{BULK_FOLDERS[style]}/{named}/{day:%Y-%m}/{stamp}.csv"
    if style == "aps":
        return f"usage/aps-insights/{slug}/{day:%Y}/usage_{stamp}.csv"
    if style == "legacy":
        return f"usage/exports/{slug}/token_usage_{slug}_{stamp}.csv"
    return f"usage/exports/{slug}/Token usage {stamp}.csv"


def mark_xlsx(files: list[UsageFile], pop: Population) -> UsageFile | None:
    """The last complete month of the first named export team goes out as XLSX."""
    team = next((t for t in pop.teams if t.pii and t.channel == "export"), None)
    if team is None:
        return None
    mine = [f for f in files if f.path.startswith(f"usage/exports/{team.slug}/")]
    if len(mine) < 2:
        return None
    chosen = mine[-2]
    chosen.xlsx = True
    chosen.path = chosen.path[: -len(".csv")] + ".xlsx"
    return chosen
