"""The input feeds of feeds.md (five from Autodesk) and insights.md (the optional cost_centers
and prices): canonical columns, their types, aliases and rules."""

from __future__ import annotations

from dataclasses import dataclass, field

# Value kinds; each has a parser in ingest/values.py and a SQL type in RAW_TYPES.
TEXT = "text"
DATE = "date"
TOKENS = "tokens"  # DECIMAL(18,3), never negative
SIGNED_TOKENS = "signed_tokens"  # DECIMAL(18,3), a leading '-' allowed (adjustments)
WHOLE = "whole"  # whole number >= 0
BOOLEAN = "boolean"
EVENT_TYPE = "event_type"  # move | merge | adjustment, any case
PRICE = "price"  # DECIMAL(18,6), never negative, at most 6 decimals (insights.md)

RAW_TYPES = {
    TEXT: "VARCHAR",
    DATE: "DATE",
    TOKENS: "DECIMAL(18,3)",
    SIGNED_TOKENS: "DECIMAL(18,3)",
    WHOLE: "BIGINT",
    BOOLEAN: "BOOLEAN",
    EVENT_TYPE: "VARCHAR",
    PRICE: "DECIMAL(18,6)",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    name: str
    columns: tuple[Column, ...]
    extensions: tuple[str, ...] = (".csv", ".xlsx")
    # Columns of which at least one must be present in the header (users: one identity).
    one_of_required: tuple[str, ...] = field(default=())

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def header_key(cell: str) -> str:
    """Header matching: lower case, spaces, hyphens and underscores the same character."""
    return cell.strip().lower().replace(" ", "_").replace("-", "_")


USAGE = Feed(
    "usage",
    (
        Column("team", TEXT, True, ("team_alias", "team_name", "teamName")),
        Column("day_used", DATE, True, ("usage_date", "usageDate", "date")),
        Column("product_name", TEXT, True, ("product", "productName")),
        Column("version", TEXT, False, ("product_version", "productVersion")),
        Column("tokens_used", TOKENS, True, ("tokens", "tokensConsumed")),
        Column("autodesk_id", TEXT, False, ("autodesk id", "userId", "user_id")),
        Column("hashed_autodesk_id", TEXT, False, ("hashedUserId",)),
        Column("email", TEXT, False, ("emailAddress", "email_address")),
        Column("first_name", TEXT, False, ("firstName",)),
        Column("last_name", TEXT, False, ("lastName",)),
        Column("feature", TEXT, False, ("featureId", "feature_id")),
    ),
)

SUBSCRIPTIONS = Feed(
    "subscriptions",
    (
        Column("subscription_id", TEXT, True, ("subscription id",)),
        Column("team", TEXT, True, ("team_alias", "team_name")),
        Column("offering_name", TEXT, True, ("offering", "product")),
        Column("seat_quantity", WHOLE, True, ("quantity", "tokens")),
        Column("start_date", DATE, True),
        Column("end_date", DATE),
        Column("subscription_status", TEXT, False, ("status",)),
        Column("term", TEXT),
        Column("contract_number", TEXT),
        Column("autorenew_date", DATE),
        Column("reseller_name", TEXT),
        Column("reseller_email", TEXT),
    ),
)

USERS = Feed(
    "users",
    (
        Column("team", TEXT, True, ("team_alias", "team_name")),
        Column("autodesk_id", TEXT, False, ("autodesk id", "user_id")),
        Column("email", TEXT),
        Column("first_name", TEXT),
        Column("last_name", TEXT),
        Column("role", TEXT),
        Column("account_status", TEXT, False, ("status",)),
        Column("offering_name", TEXT, False, ("product",)),
        Column("product_name", TEXT, False, ("feature",)),
    ),
    one_of_required=("autodesk_id", "email"),
)

TOKEN_EVENTS = Feed(
    "token_events",
    (
        Column("event_id", TEXT, True),
        Column("event_date", DATE, True),
        Column("event_type", EVENT_TYPE, True),
        Column("subscription_id", TEXT),
        Column("from_team", TEXT),
        Column("to_team", TEXT),
        Column("tokens", SIGNED_TOKENS),
        Column("reason", TEXT),
    ),
    extensions=(".csv",),
)

TEAM_SETTINGS = Feed(
    "team_settings",
    (
        Column("team", TEXT, True, ("team_alias", "team_name")),
        Column("pii_enabled", BOOLEAN, True, ("personal_data", "show_personal_data")),
    ),
    extensions=(".csv",),
)

# insights.md, Chargeback: optional; they never create teams (warehouse.md's team rule).
COST_CENTERS = Feed(
    "cost_centers",
    (
        Column("team", TEXT, True, ("team_alias", "team_name")),
        Column("user", TEXT, True, ("autodesk_id", "email", "user_id", "autodesk id")),
        Column("cost_center", TEXT, True, ("cost_centre", "costCenter", "department")),
        Column("valid_from", DATE, False, ("validFrom", "from")),
    ),
)

PRICES = Feed(
    "prices",
    (
        Column("item", TEXT, True, ("product", "product_name")),
        Column("team", TEXT, True, ("team_alias", "team_name")),
        Column("valid_from", DATE, True, ("validFrom", "from")),
        Column("price", PRICE, True, ("unit_price", "amount")),
        Column("currency", TEXT, True),
    ),
)

# Ingest order inside a run; feeds are independent, so the order only fixes log output.
FEEDS: dict[str, Feed] = {
    f.name: f for f in (SUBSCRIPTIONS, USERS, USAGE, TOKEN_EVENTS, TEAM_SETTINGS,
                        COST_CENTERS, PRICES)
}
CORE_FEEDS = ("subscriptions", "users", "usage", "token_events", "team_settings")
