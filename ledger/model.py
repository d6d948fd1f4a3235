"""What the ledger engine reads (packs, token events, consumption) and writes (entries).

The entry columns and codes are the contract of docs/ledger.md (`int_ledger_entries`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

# entry_type of an output row
ALLOCATION = "allocation"
UNALLOCATED = "unallocated"
EVENT = "event"
TRANSFER = "transfer"
WARNING = "warning"
ENTRY_TYPES = (ALLOCATION, UNALLOCATED, EVENT, TRANSFER, WARNING)

# event_type of an `event` row: the token events of metrics.md
PURCHASE = "purchase"
EXPIRY = "expiry"
MOVE_OUT, MOVE_IN = "move_out", "move_in"
MERGE_OUT, MERGE_IN = "merge_out", "merge_in"

# event_type of a token_events row, and of a `transfer` row (move, merge)
MOVE = "move"
MERGE = "merge"
ADJUSTMENT = "adjustment"
SOURCE_EVENT_TYPES = (MOVE, MERGE, ADJUSTMENT)

# event_type of a `warning` row: why an event was not (fully) applied
UNKNOWN_PACK = "unknown_pack"
FROM_TEAM_MISMATCH = "from_team_mismatch"
SAME_TEAM = "same_team"
SECOND_TRANSFER_SAME_DAY = "second_transfer_same_day"
ADJUSTMENT_OUTSIDE_PACK_DAYS = "adjustment_outside_pack_days"
ADJUSTMENT_SHORTFALL = "adjustment_shortfall"
WARNING_CODES = (
    UNKNOWN_PACK,
    FROM_TEAM_MISMATCH,
    SAME_TEAM,
    SECOND_TRANSFER_SAME_DAY,
    ADJUSTMENT_OUTSIDE_PACK_DAYS,
    ADJUSTMENT_SHORTFALL,
)

# What each token_events type needs (ingest rejects rows without it, feeds.md).
_REQUIRED = {
    MOVE: ("subscription_id", "to_team"),
    MERGE: ("from_team", "to_team"),
    ADJUSTMENT: ("subscription_id", "tokens"),
}


@dataclass(frozen=True, slots=True)
class Pack:
    """A token pack (stg_autodesk__subscriptions where is_token_pack)."""

    subscription_id: str
    team: str  # purchasing team
    seat_quantity: int
    start_date: date
    end_date: date

    def __post_init__(self) -> None:
        # Both are rejected at ingest: reaching the engine means a bug upstream.
        if self.seat_quantity < 0:
            raise ValueError(f"pack {self.subscription_id}: negative seat_quantity")
        if self.end_date < self.start_date:
            raise ValueError(f"pack {self.subscription_id}: end_date before start_date")

    def active_on(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def burn_key(self) -> tuple[date, int, str]:
        """Burn-down order: earliest end, then smaller pack, then smaller id (text)."""
        return (self.end_date, self.seat_quantity, self.subscription_id)


@dataclass(frozen=True, slots=True)
class Event:
    """A token event (stg_autodesk__token_events): move, merge or adjustment."""

    event_id: str
    event_date: date
    event_type: str
    subscription_id: str | None = None
    from_team: str | None = None
    to_team: str | None = None
    tokens: Decimal | None = None

    def __post_init__(self) -> None:
        if self.event_type not in _REQUIRED:
            raise ValueError(f"event {self.event_id}: unknown event_type {self.event_type!r}")
        for name in _REQUIRED[self.event_type]:
            if getattr(self, name) is None:
                raise ValueError(f"event {self.event_id}: {name} missing for {self.event_type}")

    @property
    def sort_key(self) -> tuple:
        """event_id order; the other fields only break ties of a duplicated id."""
        return (
            self.event_id,
            self.event_type,
            self.subscription_id or "",
            self.from_team or "",
            self.to_team or "",
            self.tokens or Decimal(0),
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of int_ledger_entries (docs/ledger.md)."""

    entry_type: str
    team: str | None
    day: date
    subscription_id: str | None
    tokens: Decimal | None
    event_type: str | None
    counterparty_team: str | None
    source_event_id: str | None
    entry_seq: int
    detail: str | None


ENTRY_COLUMNS = tuple(f.name for f in fields(Entry))
