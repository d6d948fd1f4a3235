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

from exports.summary_sheet import SummaryData
from exports.tables import Table

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
USERS_TAIL = ["Role", "account_status", "Tokens used", "Days used", "Last used"]
USAGE_HEAD = ["Team", "Day used", "Product", "Version", "Tokens used"]


@dataclass(frozen=True)
class Statement:
    """One report's query for the teams in $teams: its header, select list, the rest of
    the query (from, where, group by) and its order (the team first, then within a team)."""

    name: str
    columns: list[str]
    select: str
    rest: str
    team: str  # the team column in `rest`
    order: str  # within a team
    params: tuple[str, ...] = ("teams",)

    def sql(self, sheet_row: bool = False, ordered: bool = True) -> str:
        """The query; with sheet_row, a last column numbering the rows of each team 1, 2, …"""
        number = (f", row_number() over (partition by {self.team} order by {self.order}) "
                  "as sheet_row") if sheet_row else ""
        order = f"\norder by {self.team}, {self.order}" if ordered else ""
        return f"select {self.select}{number}\n{self.rest}{order}"


def subscriptions_statement(pii_mode: str) -> Statement:
    # reseller_email is an e-mail address: masked in hashed exports like the users' own.
    reseller_email = f"'{MASK}'" if pii_mode == HASHED else "reseller_email"
    return Statement(
        "subscriptions", list(SUBSCRIPTIONS_COLUMNS),
        "team, subscription_id, contract_number, offering_name, seat_quantity, start_date, "
        "end_date, subscription_status, term, autorenew_date, reseller_name, "
        f"{reseller_email}, tokens_consumed, tokens_remaining, tokens_expired",
        "from exports.exp_subscriptions where team in (select unnest($teams))",
        "team", "subscription_id")


def users_statement(pii_mode: str) -> Statement:
    """Users of the team known from the users feed or from usage in the range."""
    header, identity = identity_columns(pii_mode)
    return Statement(
        "users", ["Team", *header, *USERS_TAIL],
        f"d.team, {identity}, d.role, d.account_status, coalesce(r.tokens, 0), "
        "coalesce(r.days, 0), l.last_day",
        """from exports.exp_user_directory as d
left join (
    select team, user_key, sum(tokens_used) as tokens, count(distinct day_used) as days
    from main.fct_daily_usage
    where team in (select unnest($teams)) and day_used between $start and $end
    group by team, user_key
) as r on d.team = r.team and d.user_key = r.user_key
left join (
    select team, user_key, max(day_used) as last_day from main.fct_daily_usage
    where team in (select unnest($teams)) and day_used <= $end group by team, user_key
) as l on d.team = l.team and d.user_key = l.user_key
where d.team in (select unnest($teams)) and (d.in_users_feed or r.user_key is not null)""",
        "d.team", "d.user_key", ("teams", "start", "end"))


def usage_statement(pii_mode: str) -> Statement:
    header, identity = identity_columns(pii_mode)
    return Statement(
        "usage", [*USAGE_HEAD, *header],
        f"u.team, u.day_used, u.product_name, u.version, u.tokens_used, {identity}",
        """from main.fct_daily_usage as u
left join exports.exp_user_directory as d on u.team = d.team and u.user_key = d.user_key
where u.team in (select unnest($teams)) and u.day_used between $start and $end""",
        "u.team", "u.day_used, u.product_name, u.version, u.user_key",
        ("teams", "start", "end"))


def by_product_statement(pii_mode: str) -> Statement:
    """The By product screen of the last 12 months (rpt_usage_by_product)."""
    return Statement(
        "by_product", ["Team", "Product", "Users", "Tokens used", "Avg tokens per month"],
        "team, product_name, total_users, total_tokens, avg_tokens_per_month",
        "from main.rpt_usage_by_product where window_key = $window "
        "and team in (select unnest($teams))",
        "team", "product_name", ("teams", "window"))


def by_user_statement(pii_mode: str) -> Statement:
    """The By user screen of the last 12 months (rpt_usage_by_user), in the export's mode."""
    if pii_mode == HASHED:
        header, identity = ["hashed_autodesk_id", "Email"], f"user_key, '{MASK}'"
    else:
        header, identity = ["User", "Email"], "user_name, user_email"
    return Statement(
        "by_user", ["Team", *header, "Products used", "Products", "Tokens used",
                    "Avg tokens per month", "Days used", "Days in window"],
        f"team, {identity}, products_used, product_names, total_tokens, "
        "avg_tokens_per_month, days_used, days_in_window",
        "from main.rpt_usage_by_user where window_key = $window "
        "and team in (select unnest($teams))",
        "team", "total_tokens desc, user_key", ("teams", "window"))


def chargeback_statement(pii_mode: str) -> Statement:
    """insights.md's chargeback (rpt_chargeback_monthly): no personal data in either mode."""
    return Statement(
        "chargeback", ["Team", "Month", "Cost center", "Tokens used", "Users", "Amount",
                       "Currency"],
        "team, month, cost_center, tokens_used, users, amount, currency",
        "from main.rpt_chargeback_monthly where team in (select unnest($teams))",
        "team", "month, cost_center")


def flex_fit_statement(pii_mode: str) -> Statement:
    """insights.md's Flex fit (rpt_flex_fit), the user named or hashed like By user."""
    if pii_mode == HASHED:
        header, identity = ["hashed_autodesk_id"], "user_key"
    else:
        header, identity = ["User"], "user_name"
    return Statement(
        "flex_fit", ["Team", *header, "Product", "Days used", "Tokens used", "Flex cost",
                     "Subscription cost", "Currency", "Recommendation", "Savings"],
        f"team, {identity}, product_name, days_used, tokens_used, flex_cost, "
        "subscription_cost, currency, recommendation, savings",
        "from main.rpt_flex_fit where team in (select unnest($teams))",
        "team", "savings desc, user_key, product_name")


STATEMENTS = {"subscriptions": subscriptions_statement, "users": users_statement,
              "usage": usage_statement, "by_product": by_product_statement,
              "by_user": by_user_statement, "chargeback": chargeback_statement,
              "flex_fit": flex_fit_statement}
REPORTS = ("subscriptions", "users", "usage")
INSIGHTS = ("chargeback", "flex_fit")  # insights.md's reports, as of as_of
ON_DEMAND_REPORTS = (*REPORTS, *INSIGHTS)  # what `flexwh export --reports` may choose
SCHEDULED_CSV = (*REPORTS, "chargeback")  # the CSV files of every scheduled folder
# The workbook's sheets before the reports: the screens of the last 12 months and the
# insights, whatever the export's range.
SCREENS = ("by_product", "by_user", *INSIGHTS)


def params(statement: Statement, scope: ExportScope) -> dict:
    values = {"teams": list(scope.teams), "start": scope.start, "end": scope.end,
              "window": SUMMARY_WINDOW}
    return {name: values[name] for name in statement.params}


def table(con: duckdb.DuckDBPyConnection, name: str, scope: ExportScope) -> Table:
    """One report or screen of the scope's teams, fetched as Python values."""
    statement = STATEMENTS[name](scope.pii_mode)
    cursor = con.execute(statement.sql(), params(statement, scope))
    types = [str(column[1]) for column in cursor.description]
    return Table(name, statement.columns, cursor.fetchall(), types)


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


# insights.md's forecast on the Summary, after the overview (rpt_team_forecast).
FORECAST_LABELS = {
    "burn_rate_30d": "Burn rate, last 30 days (tokens a day)",
    "projected_run_out_date": "Projected run-out date",
    "days_of_cover": "Days of cover",
    "projected_breakage": "Tokens projected to expire unused",
    "purchase_by": "Buy more tokens by",
}


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the serving database has main.<name> (one published by an earlier release
    may lack a newer mart)."""
    return bool(con.execute("select count(*) from duckdb_tables() where database_name = "
                            "current_database() and schema_name = 'main' and table_name = ?",
                            [name]).fetchall()[0][0])


# A NULL run-out date: burn rate 0, or the packs cover the whole horizon (insights.md).
NOT_PROJECTED = "not within 3 years"
NO_ACTIVE_PACK = "No active token pack"


def forecast_items(con: duckdb.DuckDBPyConnection, team: str) -> list[tuple[str, object]]:
    if not has_table(con, "rpt_team_forecast"):
        return []
    rows = con.execute(f"select {', '.join(FORECAST_LABELS)} from main.rpt_team_forecast "
                       "where team = $team", {"team": team}).fetchall()
    values = rows[0] if rows else (None,) * len(FORECAST_LABELS)
    items = []
    for (name, label), value in zip(FORECAST_LABELS.items(), values, strict=True):
        if value is None and name in ("projected_run_out_date", "days_of_cover", "purchase_by"):
            value = NOT_PROJECTED
        items.append((label, value))
    return items


def balance_curve(con: duckdb.DuckDBPyConnection, team: str) -> list[tuple[date, Decimal]]:
    if not has_table(con, "rpt_team_balance_projection"):
        return []
    return con.execute("select day, projected_balance from main.rpt_team_balance_projection "
                       "where team = $team order by day", {"team": team}).fetchall()


def chargeback_amounts(con: duckdb.DuckDBPyConnection, team: str
                       ) -> list[tuple[date, str, Decimal | None, str | None]]:
    if not has_table(con, "rpt_chargeback_monthly"):
        return []
    return con.execute("select month, cost_center, amount, currency "
                       "from main.rpt_chargeback_monthly "
                       "where team = $team order by month, cost_center",
                       {"team": team}).fetchall()


def overview_items(values: dict[str, object]) -> list[tuple[str, object]]:
    """The overview rows, headed by the token status in words: "Tokens available 0" beside
    "Low balance: No" reads as a contradiction when no pack is active."""
    active = bool(values.get("tokens_total_active"))
    if not active:
        status = NO_ACTIVE_PACK
    elif values.get("low_balance"):
        status = "Low balance: under 20 % of the active packs' tokens left"
    else:
        status = "OK"
    items = [("Token status", status)]
    for name, label in OVERVIEW_LABELS.items():
        value = values.get(name)
        if name == "low_balance" and not active:
            value = "n/a (no active pack)"
        items.append((label, value))
    return items


def summary(con: duckdb.DuckDBPyConnection, team: str, scope: ExportScope) -> SummaryData:
    """The Summary sheet of one team: overview and forecast numbers, and its charts' data."""
    names = ", ".join(OVERVIEW_LABELS)
    row = con.execute(f"select as_of_date, {names} from main.rpt_team_overview "
                      "where team = $team", {"team": team}).fetchall()
    as_of, *values = row[0] if row else (scope.end, *([None] * len(OVERVIEW_LABELS)))
    overview = dict(zip(OVERVIEW_LABELS, values, strict=True))
    daily = con.execute("select day, tokens_used from main.rpt_daily_usage_365 "
                        "where team = $team order by day", {"team": team}).fetchall()
    distribution = con.execute(
        "select product_name, bucket, users from main.rpt_product_token_distribution "
        "where team = $team and window_key = $window order by product_name, bucket_order",
        {"team": team, "window": SUMMARY_WINDOW},
    ).fetchall()
    by_product = con.execute(
        "select product_name, total_tokens from main.rpt_usage_by_product "
        "where team = $team and window_key = $window and total_tokens > 0 "
        "order by total_tokens desc, product_name",
        {"team": team, "window": SUMMARY_WINDOW}).fetchall()
    active = (overview["tokens_available"], overview["tokens_used_active"]) \
        if overview.get("tokens_total_active") else None
    return SummaryData(
        team=team, as_of=as_of, range_start=scope.start, range_end=scope.end,
        pii_mode=scope.pii_mode,
        overview=[*overview_items(overview), *forecast_items(con, team)],
        daily_tokens=[(day, Decimal(tokens)) for day, tokens in daily],
        distribution=[(product, bucket, int(users)) for product, bucket, users in distribution],
        by_product=by_product,
        balance=balance_curve(con, team),
        active_tokens=active,
        chargeback=chargeback_amounts(con, team),
    )
