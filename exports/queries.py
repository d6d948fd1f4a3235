"""What an export holds, read from the warehouse: one query per report (exports.md).

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
    """Header cells and SQL of the user identity columns (alias `i` = int_user_identities)."""
    if pii_mode == HASHED:
        return (["hashed_autodesk_id", "Email", "First name", "Last name"],
                f"i.user_key, '{MASK}', '{MASK}', '{MASK}'")
    # user_id is the Autodesk ID unless it was made from a hashed ID or an e-mail address.
    autodesk_id = ("case when i.user_id like 'h:%' or i.user_id like 'e:%' then null "
                   "else i.user_id end")
    return (["Autodesk ID", "Email", "First name", "Last name"],
            f"{autodesk_id}, i.email, i.first_name, i.last_name")


SUBSCRIPTIONS_COLUMNS = [
    "Team", "subscription_id", "contract_number", "offering_name", "seat_quantity",
    "start_date", "end_date", "subscription_status", "term", "autorenew_date",
    "reseller_name", "reseller_email", "Tokens used", "Tokens remaining", "Tokens expired",
]

# A token pack belongs to the team holding it on as_of (dim_token_pack.current_team); any
# other subscription to its team as delivered.
SUBSCRIPTIONS = """
select
    coalesce(p.current_team, s.team) as team, s.subscription_id, s.contract_number,
    s.offering_name, s.seat_quantity, s.start_date, s.end_date, s.subscription_status,
    s.term, s.autorenew_date, s.reseller_name, {reseller_email},
    p.tokens_consumed, p.tokens_remaining, p.tokens_expired
from staging.stg_autodesk__subscriptions as s
left join marts.dim_token_pack as p on s.subscription_id = p.subscription_id
where coalesce(p.current_team, s.team) in (select unnest($teams))
order by team, s.subscription_id
"""

USERS_TAIL = ["Role", "account_status", "Tokens used", "Days used", "Last used"]

# Users of the team known from the users feed or from usage in the range.
USERS = """
with directory as (
    select team, user_id, role, account_status from staging.stg_autodesk__users
    where team in (select unnest($teams))
),
usage as (
    select team, user_key, day_used, tokens_used from marts.fct_daily_usage
    where team in (select unnest($teams)) and day_used <= $end
),
in_range as (
    select team, user_key, sum(tokens_used) as tokens, count(distinct day_used) as days
    from usage where day_used >= $start group by team, user_key
),
last_used as (
    select team, user_key, max(day_used) as last_day from usage group by team, user_key
)
select i.team, {identity}, d.role, d.account_status,
    coalesce(r.tokens, 0), coalesce(r.days, 0), l.last_day
from intermediate.int_user_identities as i
left join directory as d on i.team = d.team and i.user_id = d.user_id
left join in_range as r on i.team = r.team and i.user_key = r.user_key
left join last_used as l on i.team = l.team and i.user_key = l.user_key
where i.team in (select unnest($teams)) and (d.user_id is not null or r.user_key is not null)
order by i.team, i.user_key
"""

USAGE_HEAD = ["Team", "Day used", "Product", "Version", "Tokens used"]

USAGE = """
select u.team, u.day_used, u.product_name, u.version, u.tokens_used, {identity}
from marts.fct_daily_usage as u
left join intermediate.int_user_identities as i on u.team = i.team and u.user_key = i.user_key
where u.team in (select unnest($teams)) and u.day_used between $start and $end
order by u.team, u.day_used, u.product_name, u.version, u.user_key
"""

def _params(scope: ExportScope, *names: str) -> dict:
    values = {"teams": list(scope.teams), "start": scope.start, "end": scope.end}
    return {name: values[name] for name in names}


def subscriptions(con: duckdb.DuckDBPyConnection, scope: ExportScope) -> Table:
    # reseller_email is an e-mail address: masked in hashed exports like the users' own.
    reseller_email = f"'{MASK}'" if scope.pii_mode == HASHED else "s.reseller_email"
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
        "from marts.rpt_usage_by_product where window_key = $window "
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
        "avg_tokens_per_month, days_used, days_in_window from marts.rpt_usage_by_user "
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
    row = con.execute(f"select as_of_date, {names} from marts.rpt_team_overview "
                      "where team = $team", {"team": team}).fetchall()
    as_of, *values = row[0] if row else (scope.end, *([None] * len(OVERVIEW_LABELS)))
    daily = con.execute("select day, tokens_used from marts.rpt_daily_usage_365 "
                        "where team = $team order by day", {"team": team}).fetchall()
    distribution = con.execute(
        "select product_name, bucket, users from marts.rpt_product_token_distribution "
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
