"""Adjustments of one day, in event_id order, after the day's transfers (metrics.md)."""

from __future__ import annotations

from datetime import date

from .model import (
    ADJUSTMENT,
    ADJUSTMENT_OUTSIDE_PACK_DAYS,
    ADJUSTMENT_SHORTFALL,
    EVENT,
    UNKNOWN_PACK,
    Event,
)
from .state import Book, Journal


def apply_adjustments(book: Book, journal: Journal, day: date, events: list[Event]) -> None:
    for event in events:
        _adjust(book, journal, day, event)


def _adjust(book: Book, journal: Journal, day: date, event: Event) -> None:
    sid, eid, tokens = event.subscription_id, event.event_id, event.tokens
    state = book.packs.get(sid)
    if state is None:
        # An adjustment names no team, and an unknown pack has no holder: team is NULL.
        journal.warn(UNKNOWN_PACK, None, day, sid, eid,
                     f"adjustment {eid}: {sid} is not a known token pack", tokens)  # fmt: skip
        return
    pack, holder = state.pack, state.holder
    if not pack.active_on(day):
        journal.warn(ADJUSTMENT_OUTSIDE_PACK_DAYS, holder, day, sid, eid,
                     f"adjustment {eid}: pack {sid} is active {pack.start_date}.."
                     f"{pack.end_date}, not on {day}: not applied", tokens)  # fmt: skip
        return
    held = state.remaining
    # A removal takes the pack to zero at most; the rest is reported, not applied.
    change = tokens if tokens >= 0 else -min(-tokens, held)
    state.remaining = held + change
    if change:
        journal.write(EVENT, holder, day, sid, change, ADJUSTMENT, source_event_id=eid)
    shortfall = -tokens + change if tokens < 0 else 0
    if shortfall > 0:
        journal.warn(ADJUSTMENT_SHORTFALL, holder, day, sid, eid,
                     f"adjustment {eid}: pack {sid} held {held}, so {shortfall} of "
                     f"{-tokens} could not be removed", shortfall)  # fmt: skip
