"""What an export holds, read from the serving database (the last successful run's marts
and `exports` tables, never the warehouse): one query per report (exports.md).

Every query takes the teams, the date range and the personal-data mode. In hashed mode the
queries never select a name, e-mail address or Autodesk ID: the identity columns are the
user_key and the mask, so personal data cannot reach a hashed file by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

from exports.tables import Table
from exports.workbook import SummaryData

MASK = "*****"
NAMED = "named"
HASHED = "hashed"
SUMMARY_WINDOW = "last_12_months"


@dataclass(frozen=True)
class ExportScope:
    """Which teams, days and identity mode an export covers."""

    teams: tuple[str, ...]
    start: date
    end: date
    pii_mode: str  # NAMED | HASHED


def identity_columns(pii_mode: str) -> tuple[list[str], str]:
    """Header cells and SQL of the user identity columns (alias `d` = exp_user_directory)."""
    if pii_mode == HASHED:
        return (["hashed_autodesk_id", "Email", "First name", "Last name"],
                f"d.user_key, '{MASK}', '{MASK}', '{MASK}'")
    return (["Autodesk ID", "Email", "First name", "Last name"],
            "d.autodesk_id, d.email, d.first_name, d.last_name")


SUBSCRIPTIONS_COLUMNS = [
    "Team", "subscription_id", "contract_number", "offering_name", "seat_quantity",
    "start_date", "end_date", "subscription_status", "term", "autorenew_date",
    "reseller_name", "reseller_email", "Tokens used", "Tokens remaining", "Tokens expired",
]

SUBSCRIPTIONS = """
select
    team, subscription_id, contract_number, offering_name, seat_quantity, start_date,
    end_date, subscription_status, term, autorenew_date, reseller_name, {reseller_email},
    tokens_consumed, tokens_remaining, tokens_expired
from exports.exp_subscriptions
where team in (select unnest($teams))
order by team, subscription_id
"""

USERS_TAIL = ["Role", "account_status", "Tokens used", "Days used", "Last used"]

# Users of the team known from the users feed or from usage in the range.
USERS = """
with usage as (
    select team, user_key, day_used, tokens_used from main.fct_daily_usage
    where team in (select unnest($teams)) and day_used <= $end
),
in_range as (
    select team, user_key, sum(tokens_used) as tokens, count(distinct day_used) as days
    from usage where day_used >= $start group by team, user_key
),
last_used as (
    select team, user_key, max(day_used) as last_day from usage group by team, user_key
)
select d.team, {identity}, d.role, d.account_status,
    coalesce(r.tokens, 0), coalesce(r.days, 0), l.last_day
from exports.exp_user_directory as d
left join in_range as r on d.team = r.team and d.user_key = r.user_key
left join last_used as l on d.team = l.team and d.user_key = l.user_key
where d.team in (select unnest($teams)) and (d.in_users_feed or r.user_key is not null)
order by d.team, d.user_key
"""

USAGE_HEAD = ["Team", "Day used", "Product", "Version", "Tokens used"]

USAGE = """
select u.team, u.day_used, u.product_name, u.version, u.tokens_used, {identity}
from main.fct_daily_usage as u
left join exports.exp_user_directory as d on u.team = d.team and u.user_key = d.user_key
where u.team in (select unnest($teams)) and u.day_used between $start and $end
order by u.team, u.day_used, u.product_name, u.version, u.user_key
"""

def _params(scope: ExportScope, *names: str) -> dict:
    values = {"teams": list(scope.teams), "start": scope.start, "end": scope.end}
    return {name: values[name] for name in names}


def subscriptions(con: duckdb.DuckDBPyConnection, scope: ExportScope) -> Table:
    # reseller_email is an e-mail address: masked in hashed exports like the users' own.
    reseller_email = f"'{MASK}'" if scope.pii_mode == HASHED else "reseller_email"
    rows = con.execute(SUBSCRIPTIONS.format(reseller_email=reseller_email),
                       _params(scope, "teams")).fetchall()
    return Table("subscriptions", list(SUBSCRIPTIONS_COLUMNS), rows)


def users(con: duckdb.DuckDBPyConnection, scope: ExportScope) -> Table:
    header, identity = identity_columns(scope.pii_mode)
    rows = con.execute(USERS.format(identity=identity),
                       _params(scope, "teams", "start", "end")).fetchall()
    return Table("users", ["Team", *header, *USERS_TAIL], rows)


def usage(con: duckdb.DuckDBPyConnection, scope: ExportScope) -> Table:
    header, identity = identity_columns(scope.pii_mode)
    rows = con.execute(USAGE.format(identity=identity),
                       _params(scope, "teams", "start", "end")).fetchall()
    return Table("usage", [*USAGE_HEAD, *header], rows)


REPORTS = {"subscriptions": subscriptions, "users": users, "usage": usage}


def by_product(con: duckdb.DuckDBPyConnection, scope: ExportScope) -> Table:
    """The By product screen of the last 12 months (rpt_usage_by_product)."""
    rows = con.execute(
        "select team, product_name, total_users, total_tokens, avg_tokens_per_month "
        "from main.rpt_usage_by_product where window_key = $window "
        "and team in (select unnest($teams)) order by team, product_name",
        {"window": SUMMARY_WINDOW, **_params(scope, "teams")},
    ).fetchall()
    return Table("by_product", ["Team", "Product", "Users", "Tokens used",
                                "Avg tokens per month"], rows)


def by_user(con: duckdb.DuckDBPyConnection, scope: ExportScope) -> Table:
    """The By user screen of the last 12 months (rpt_usage_by_user), in the export's mode."""
    if scope.pii_mode == HASHED:
        header, identity = ["hashed_autodesk_id", "Email"], f"user_key, '{MASK}'"
    else:
        header, identity = ["User", "Email"], "user_name, user_email"
    rows = con.execute(
        f"select team, {identity}, products_used, product_names, total_tokens, "
        "avg_tokens_per_month, days_used, days_in_window from main.rpt_usage_by_user "
        "where window_key = $window and team in (select unnest($teams)) "
        "order by team, total_tokens desc, user_key",
        {"window": SUMMARY_WINDOW, **_params(scope, "teams")},
    ).fetchall()
    return Table("by_user", ["Team", *header, "Products used", "Products", "Tokens used",
                             "Avg tokens per month", "Days used", "Days in window"], rows)


OVERVIEW_LABELS = {
    "tokens_available": "Tokens available",
    "tokens_used_active": "Tokens used (active packs)",
    "tokens_total_active": "Tokens total (active packs)",
    "tokens_added_7d": "Tokens added, last 7 days",
    "tokens_removed_7d": "Tokens removed, last 7 days",
    "token_events_90d": "Token events, last 90 days",
    "tokens_unallocated": "Tokens not covered by a pack",
    "low_balance": "Low balance",
    "expiring_90d": "Tokens expiring within 90 days",
}


def summary(con: duckdb.DuckDBPyConnection, team: str, scope: ExportScope) -> SummaryData:
    """The Summary sheet of one team: overview numbers, 365-day line, distributions."""
    names = ", ".join(OVERVIEW_LABELS)
    row = con.execute(f"select as_of_date, {names} from main.rpt_team_overview "
                      "where team = $team", {"team": team}).fetchall()
    as_of, *values = row[0] if row else (scope.end, *([None] * len(OVERVIEW_LABELS)))
    daily = con.execute("select day, tokens_used from main.rpt_daily_usage_365 "
                        "where team = $team order by day", {"team": team}).fetchall()
    distribution = con.execute(
        "select product_name, bucket, users from main.rpt_product_token_distribution "
        "where team = $team and window_key = $window order by product_name, bucket_order",
        {"team": team, "window": SUMMARY_WINDOW},
    ).fetchall()
    return SummaryData(
        team=team, as_of=as_of, range_start=scope.start, range_end=scope.end,
        pii_mode=scope.pii_mode,
        overview=list(zip(OVERVIEW_LABELS.values(), values, strict=True)),
        daily_tokens=[(day, Decimal(tokens)) for day, tokens in daily],
        distribution=[(product, bucket, int(users)) for product, bucket, users in distribution],
    )
