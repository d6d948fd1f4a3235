"""Every alias family of every feed lands in its canonical raw column (feeds.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from ingest.feeds import (
    BOOLEAN,
    DATE,
    EVENT_TYPE,
    FEEDS,
    PRICE,
    SIGNED_TOKENS,
    TOKENS,
    WHOLE,
)
from tests.ingest.helpers import Landing

# A valid text per kind and what raw holds for it.
SAMPLES = {
    DATE: ("2026-03-05", dt.date(2026, 3, 5)),
    TOKENS: ("12.5", Decimal("12.5")),
    SIGNED_TOKENS: ("-4", Decimal("-4")),
    WHOLE: ("1000", 1000),
    BOOLEAN: ("yes", True),
    EVENT_TYPE: ("Adjustment", "adjustment"),
    PRICE: ("2030.125", Decimal("2030.125")),
}
# Values that make a row valid whatever column is under test.
BASE_ROW = {
    "usage": {"team": "Acme", "day_used": "2026-03-05", "product_name": "Revit",
              "tokens_used": "10", "autodesk_id": "U1"},
    "subscriptions": {"subscription_id": "S1", "team": "Acme", "offering_name": "Flex",
                      "seat_quantity": "1000", "start_date": "2026-01-01"},
    "users": {"team": "Acme", "autodesk_id": "U1"},
    "token_events": {"event_id": "E1", "event_date": "2026-03-05", "event_type": "adjustment",
                     "subscription_id": "S1", "tokens": "-4"},
    "team_settings": {"team": "Acme", "pii_enabled": "yes"},
    "cost_centers": {"team": "Acme", "user": "U1", "cost_center": "CC-1"},
    "prices": {"item": "token", "team": "*", "valid_from": "2026-01-01", "price": "3",
               "currency": "USD"},
}


def _spellings(name: str) -> list[str]:
    """The name as given, and with spaces, hyphens, underscores and case swapped around."""
    variants = {name, name.upper(), name.replace("_", " ").title(), name.replace("_", "-")}
    return sorted(variants)


def _files(feed: str) -> list[tuple[str, str, str, object]]:
    """(file name, column, header text, expected raw value) for every alias spelling."""
    definition = FEEDS[feed]
    files = []
    for column in definition.columns:
        for alias in (column.name, *column.aliases):
            for spelling in _spellings(alias):
                text, expected = SAMPLES.get(column.kind, ("Some value", "Some value"))
                if feed == "token_events" and column.name in ("from_team", "to_team"):
                    row = {"event_id": "E1", "event_date": "2026-03-05", "event_type": "merge",
                           "from_team": "Old", "to_team": "New"}
                else:
                    row = dict(BASE_ROW[feed])
                row.pop(column.name, None)
                cells = {spelling: text} | row
                content = ",".join(cells) + "\n" + ",".join(cells.values()) + "\n"
                if any(content == other[2] for other in files):
                    continue  # two aliases spelled alike: the same bytes would be a duplicate
                files.append((f"{len(files):03d}.csv", column.name, content, expected))
    return files


@pytest.mark.parametrize("feed", list(FEEDS))
def test_every_alias_spelling_lands_in_its_canonical_column(tmp_path, feed):
    landing = Landing(tmp_path)
    files = _files(feed)
    for name, _, content, _ in files:
        landing.write(f"{feed}/{name}", content)

    landing.ingest()

    assert landing.rejected(feed) == []
    con = duckdb.connect(str(landing.warehouse), read_only=True)
    for name, column, _, expected in files:
        got = con.execute(
            f"select {column} from raw.{feed} where _source_path = ?", [f"{feed}/{name}"]
        ).fetchall()
        assert got == [(expected,)], (name, column)
