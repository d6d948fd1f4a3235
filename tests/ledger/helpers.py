"""Short builders for engine tests: packs, events and entries written as plain tuples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger import Entry, Event, Pack, run_ledger


def d(text: str) -> date:
    return date.fromisoformat(text)


def pack(sid: str, team: str, seats: int, start: str, end: str) -> Pack:
    return Pack(sid, team, seats, d(start), d(end))


def move(eid: str, day: str, sid: str, to_team: str, from_team: str | None = None) -> Event:
    return Event(eid, d(day), "move", subscription_id=sid, from_team=from_team, to_team=to_team)


def merge(eid: str, day: str, from_team: str, to_team: str) -> Event:
    return Event(eid, d(day), "merge", from_team=from_team, to_team=to_team)


def adjust(eid: str, day: str, sid: str, tokens: str) -> Event:
    return Event(eid, d(day), "adjustment", subscription_id=sid, tokens=Decimal(tokens))


def use(*rows: tuple[str, str, str]) -> dict[tuple[str, date], Decimal]:
    """Consumption {(team, day): tokens} from (team, day, tokens) text triples."""
    return {(team, d(day)): Decimal(tokens) for team, day, tokens in rows}


def row(entry: Entry) -> tuple:
    """An entry without entry_seq and detail, dates and amounts as text: easy to compare."""
    tokens = None if entry.tokens is None else str(entry.tokens)
    return (entry.entry_type, entry.team, entry.day.isoformat(), entry.subscription_id, tokens,
            entry.event_type, entry.counterparty_team, entry.source_event_id)  # fmt: skip


def rows(packs, events, consumption, as_of: str) -> list[tuple]:
    """The ledger's rows, after checking that entry_seq numbers them 1, 2, ..."""
    entries = run_ledger(packs, events, consumption, d(as_of)).entries
    assert [e.entry_seq for e in entries] == list(range(1, len(entries) + 1))
    return [row(e) for e in entries]


def remaining(packs, events, consumption, as_of: str) -> dict[str, str]:
    left = run_ledger(packs, events, consumption, d(as_of)).remaining
    return {sid: str(tokens) for sid, tokens in left.items()}


# Row builders, in the column order of row(): (entry_type, team, day, subscription_id,
# tokens, event_type, counterparty_team, source_event_id).
def purchase(team, day, sid, tokens):
    return ("event", team, day, sid, tokens, "purchase", None, None)


def expiry(team, day, sid, tokens):
    return ("event", team, day, sid, tokens, "expiry", None, None)


def alloc(team, day, sid, tokens):
    return ("allocation", team, day, sid, tokens, None, None, None)


def unalloc(team, day, tokens):
    return ("unallocated", team, day, None, tokens, None, None, None)


def event(team, day, sid, tokens, event_type, counterparty=None, source=None):
    return ("event", team, day, sid, tokens, event_type, counterparty, source)


def transfer(team, day, sid, tokens, kind, giver, source):
    return ("transfer", team, day, sid, tokens, kind, giver, source)


def warning(code, team, day, sid, source, tokens=None):
    return ("warning", team, day, sid, tokens, code, None, source)
