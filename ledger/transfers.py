"""Moves and merges of one day, in event_id order (metrics.md, burn-down step 1).

A pack changes hands at most once a day: the first transfer that applies wins, and any
later one that day is a `second_transfer_same_day` warning. A transfer carries what the
pack holds at that moment (0 for an upcoming, expired or empty pack: a `transfer` row but
no token events).
"""

from __future__ import annotations

from datetime import date

from .model import (
    EVENT,
    FROM_TEAM_MISMATCH,
    MERGE,
    MERGE_IN,
    MERGE_OUT,
    MOVE,
    MOVE_IN,
    MOVE_OUT,
    SAME_TEAM,
    SECOND_TRANSFER_SAME_DAY,
    TRANSFER,
    UNKNOWN_PACK,
    Event,
)
from .state import Book, Journal, PackState

_EVENT_TYPES = {MOVE: (MOVE_OUT, MOVE_IN), MERGE: (MERGE_OUT, MERGE_IN)}


def apply_transfers(book: Book, journal: Journal, day: date, events: list[Event]) -> None:
    # Packs transferred today -> the team that held them at the start of the day.
    moved: dict[str, str] = {}
    for event in events:
        if event.event_type == MOVE:
            _move(book, journal, day, event, moved)
        else:
            _merge(book, journal, day, event, moved)


def _move(book: Book, journal: Journal, day: date, event: Event, moved: dict[str, str]) -> None:
    sid, eid = event.subscription_id, event.event_id
    state = book.packs.get(sid)
    if state is None:
        # No holder to name: the warning goes to the team the event names.
        journal.warn(UNKNOWN_PACK, event.from_team or event.to_team, day, sid, eid,
                     f"move {eid}: {sid} is not a known token pack")  # fmt: skip
        return
    holder = state.holder
    if sid in moved:
        journal.warn(SECOND_TRANSFER_SAME_DAY, holder, day, sid, eid,
                     f"move {eid}: pack {sid} was already transferred on {day}")  # fmt: skip
    elif event.from_team is not None and event.from_team != holder:
        journal.warn(FROM_TEAM_MISMATCH, holder, day, sid, eid,
                     f"move {eid}: pack {sid} is held by {holder}, "
                     f"not by from_team {event.from_team}")  # fmt: skip
    elif event.to_team == holder:
        journal.warn(SAME_TEAM, holder, day, sid, eid,
                     f"move {eid}: pack {sid} is already held by {holder}")  # fmt: skip
    else:
        _transfer(book, journal, day, state, event, moved)


def _merge(book: Book, journal: Journal, day: date, event: Event, moved: dict[str, str]) -> None:
    src, dst, eid = event.from_team, event.to_team, event.event_id
    if src == dst:
        journal.warn(SAME_TEAM, src, day, None, eid, f"merge {eid}: team {src} into itself")
        return
    # The packs src held at the start of the day: what it holds now, less what it received
    # today, plus what it gave away today (whose transfer today was then the first).
    candidates = book.held.get(src, set()) | {sid for sid, team in moved.items() if team == src}
    for sid in sorted(candidates):
        if moved.get(sid, src) != src:
            continue  # received by src today: not held at the start of the day
        state = book.packs[sid]
        if sid in moved:
            journal.warn(SECOND_TRANSFER_SAME_DAY, state.holder, day, sid, eid,
                         f"merge {eid}: pack {sid} was already transferred on {day}")  # fmt: skip
        else:
            _transfer(book, journal, day, state, event, moved)


def _transfer(
    book: Book, journal: Journal, day: date, state: PackState, event: Event, moved: dict[str, str]
) -> None:
    """`transfer` row for the receiver (counterparty: the giver), then the out/in pair."""
    sid, eid = state.pack.subscription_id, event.event_id
    giver, receiver, tokens = state.holder, event.to_team, state.remaining
    moved[sid] = giver
    book.give(state, receiver)
    journal.write(TRANSFER, receiver, day, sid, tokens, event.event_type, giver, eid)
    if tokens > 0:
        out_type, in_type = _EVENT_TYPES[event.event_type]
        journal.write(EVENT, giver, day, sid, -tokens, out_type, receiver, eid)
        journal.write(EVENT, receiver, day, sid, tokens, in_type, giver, eid)
