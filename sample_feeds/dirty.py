"""--dirty: a known number of rejected rows and files of every kind feeds.md rejects.

Bad rows of the small feeds go into extra files that otherwise re-deliver rows already
delivered (or add seat subscriptions, which hold no tokens), so the valid data and its
burn-down are unchanged. The tally is written to `<out>/dirty_tally.json`.
"""

from __future__ import annotations

import json
from collections import Counter

from .other_feeds import EVENTS_HEADER, FeedFile
from .usage_files import UsageFile
from .usage_write import UsageWriter
from .writers import csv_bytes, table_csv_bytes

SUBSCRIPTION_COLUMNS = ("subscription_id", "team", "offering_name", "seat_quantity",
                        "start_date", "end_date", "status")


class Tally:
    def __init__(self) -> None:
        self.rows_by_reason: dict[str, Counter] = {}
        self.rejected_files: Counter = Counter()
        self.duplicate_files: Counter = Counter()
        self.ignored_files: Counter = Counter()
        # Valid rows that the extra files re-deliver (they load, beside the clean feeds).
        self.valid_rows: Counter = Counter()

    def rows(self, feed: str, reasons: Counter) -> None:
        self.rows_by_reason.setdefault(feed, Counter()).update(reasons)

    def to_json(self) -> bytes:
        """Feeds with nothing of a kind are left out, as a GROUP BY would leave them out."""
        body = {
            "rejected_rows": {f: sum(c.values()) for f, c in self.rows_by_reason.items()},
            "rejected_files": dict(self.rejected_files),
            "duplicate_files": dict(self.duplicate_files),
            "ignored_files": dict(self.ignored_files),
            "valid_rows_in_dirty_files": dict(self.valid_rows),
            "rows_by_reason": {f: dict(c) for f, c in self.rows_by_reason.items()},
        }
        return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()


def bad_files(tally: Tally, writer: UsageWriter, usage: list[UsageFile], clean: bytes,
              clean_path: str, users: FeedFile, subs: FeedFile, events: FeedFile,
              settings: FeedFile) -> list[tuple[str, bytes]]:
    """Every extra file of the dirty landing folder, with the tally updated."""
    legacy = next(f for f in usage if f.style == "legacy" and not f.xlsx)
    sample = writer.table(legacy).slice(0, 20)
    out = [
        # Rejected files: a required column missing, an ambiguous header, not UTF-8.
        ("usage/manual/usage_without_tokens.csv",
         table_csv_bytes(sample.drop_columns(["tokens_used"]))),
        ("usage/manual/usage_two_team_columns.csv",
         table_csv_bytes(sample.append_column("Team", sample.column("team_alias")))),
        ("users/users_export_cp1252.csv", csv_bytes(
            users.header,
            [*users.rows, ["José", "Müller", "jose.muller@cp1252.example", "CP1252USER01",
                           users.rows[0][4], "User", "Active", "Flex"]],
            encoding="cp1252", errors="replace")),
        ("subscriptions/subscriptions_without_start_date.csv", csv_bytes(
            [c for c in SUBSCRIPTION_COLUMNS if c != "start_date"],
            [[r[0], r[1], r[2], r[3], r[5], r[6]] for r in subs.rows[:3]])),
        # A file with another extension, and a copy of a loaded file under another name.
        ("usage/README.txt", b"Token usage exports downloaded from Autodesk Account.\n"),
        ("usage/copies/" + clean_path.rsplit("/", 1)[-1], clean),
    ]
    tally.rejected_files.update({"usage": 2, "users": 1, "subscriptions": 1})
    tally.ignored_files["usage"] += 1
    tally.duplicate_files["usage"] += 1
    out += _bad_rows(tally, users, subs, events, settings)
    return out


def _bad_rows(tally: Tally, users: FeedFile, subs: FeedFile, events: FeedFile,
              settings: FeedFile) -> list[tuple[str, bytes]]:
    team = users.rows[0][4]
    start, end = subs.rows[0][4], subs.rows[0][5]
    seat = ["AutoCAD - including specialized toolsets", 2, start, end, "Active"]
    sub_rows = [
        ["900000000001", team, *seat], ["900000000002", team, *seat],  # valid, no tokens
        ["900000000003", team, "Autodesk Flex", "2500.5", start, end, "Active"],
        ["900000000004", team, "Autodesk Flex", "-500", start, end, "Active"],
        ["900000000005", team, "Autodesk Flex", 1000, end, start, "Active"],
    ]
    tally.valid_rows["subscriptions"] += 2
    tally.rows("subscriptions", Counter({"seat_quantity: not a whole number": 1,
                                         "seat_quantity: negative": 1,
                                         "end_date: before start_date": 1}))
    user_rows = [
        *users.rows[:2],  # re-delivered unchanged
        ["Ada", "Lovelace", "ada.lovelace@example.com", "NOTEAMUSER01", "", "User",
         "Active", "Flex"],
        ["Alan", "Turing", "", "", team, "User", "Active", "Flex"],
    ]
    tally.valid_rows["users"] += 2
    tally.rows("users", Counter({"team: missing": 1, "user: no identity": 1}))
    sid = subs.rows[0][0]
    event_rows = [
        *events.rows[:1],  # re-delivered unchanged
        ["TE-X0001", start, "transfer", sid, team, team, None, "Not an event type"],
        ["TE-X0002", start, "adjustment", sid, None, None, "0", "Zero adjustment"],
        ["TE-X0003", start, "move", None, None, team, None, "Move without a pack"],
        ["TE-X0004", start, "merge", None, team, None, None, "Merge without a target"],
    ]
    tally.valid_rows["token_events"] += 1
    tally.rows("token_events", Counter({"event_type: unknown": 1,
                                        "tokens: 0 on an adjustment": 1,
                                        "subscription_id: missing for a move": 1,
                                        "to_team: missing for a merge": 1}))
    # Re-delivers the current settings with other header aliases and boolean spellings.
    setting_rows = [[name, "true" if value == "On" else "false"] for name, value in
                    settings.rows] + [[team, "maybe"]]
    tally.valid_rows["team_settings"] += len(settings.rows)
    tally.rows("team_settings", Counter({"pii_enabled: not a boolean": 1}))
    return [
        ("subscriptions/subscriptions_manual_entries.csv",
         csv_bytes(SUBSCRIPTION_COLUMNS, sub_rows)),
        ("users/users_corrections.csv", csv_bytes(users.header, user_rows)),
        ("token_events/token_events_manual.csv", csv_bytes(EVENTS_HEADER, event_rows)),
        ("team_settings/team_settings_update.csv",
         csv_bytes(("team_name", "show_personal_data"), setting_rows)),
    ]


def company_bad_rows(tally: Tally, centers: FeedFile, prices: FeedFile
                     ) -> list[tuple[str, bytes]]:
    """Corrections of the optional cost_centers and prices feeds, under other header names
    (as a person saves them from a spreadsheet): rows already delivered, rows valid once
    normalised (`Token`, `usd`) that re-deliver a price unchanged, and rows insights.md
    rejects."""
    team, user, center, _ = centers.rows[0]
    other = centers.rows[1]
    change = prices.rows[1][2]  # the mid-period token price change: a date
    center_rows = [
        *centers.rows[:2],  # re-delivered unchanged
        [team, user, center, change.strftime("%d/%m/%Y")],  # day first: not ISO 8601
        [other[0], other[1], None, None],
    ]
    tally.valid_rows["cost_centers"] += 2
    tally.rows("cost_centers", Counter({"valid_from: not a date": 1,
                                        "cost_center: missing": 1}))
    token = prices.rows[0]
    own = next(r for r in prices.rows if r[0] == "token" and r[1] != "*")
    product = next((r for r in prices.rows if r[0] != "token"), token)
    price_rows = [
        ["Token", *token[1:]],  # valid: `token` is case-insensitive; the same price again
        [*product[:4], product[4].lower()],  # valid: the currency is upper-cased
        [product[0], product[1], product[2], product[3] + "1", product[4]],  # 7 decimals
        [own[0], own[1], own[2], "-" + own[3], own[4]],
        ["token", "*", None, prices.rows[1][3], token[4]],
    ]
    tally.valid_rows["prices"] += 2
    tally.rows("prices", Counter({"price: more than 6 decimals": 1, "price: negative": 1,
                                  "valid_from: missing": 1}))
    return [
        ("cost_centers/cost_centers_corrections.csv",
         csv_bytes(("Team", "User", "Cost centre", "Valid from"), center_rows)),
        ("prices/prices_manual.csv",
         csv_bytes(("Product", "Team", "Valid from", "Unit price", "Currency"), price_rows)),
    ]
