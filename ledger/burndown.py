"""The day loop of the token ledger: metrics.md's burn-down, one day at a time.

Only days on which something happens are visited (a pack starts or ends, an event, a
use), each in the order of metrics.md:

1. packs starting today become available: `purchase` for the team holding them now
   (a pack moved before its start buys for its new team; no row for 0 tokens);
2. moves and merges in event_id order (transfers.py);
3. adjustments in event_id order (adjustments.py);
4. each team's consumption, drawn from its active packs in burn-down order (earliest end,
   smaller pack, smaller id); what no pack covers is `unallocated`;
5. packs ending today expire: what they hold leaves with an `expiry` event dated
   end_date + 1.

Decisions where metrics.md leaves room (also in the report of the change):

- Nothing dated after as_of is written. A pack ending on as_of is active all of as_of,
  so its expiry (dated as_of + 1) is not written yet: it still holds its tokens.
- `transfer` rows belong to the receiving team, with the giver as counterparty_team.
- Warnings belong to the pack's holder when the pack is known; an unknown pack's move
  warning goes to the event's from_team, else its to_team; an unknown pack's adjustment,
  which names no team, has team NULL. subscription_id is the id the event names, even
  when unknown; a merge of a team into itself has none. tokens: the adjustment amount on
  adjustment warnings, the part not removed (> 0) on `adjustment_shortfall`, NULL on
  transfer warnings.
- A merge moves the packs the merged team held at the start of the day: a pack it
  received earlier that day stays (it is not its pack at the start of the day), and a
  pack it gave away earlier that day is a `second_transfer_same_day` warning.
- One warning per event not applied (per pack for a merge), checked in this order:
  unknown pack, second transfer that day, from_team mismatch, same team. A merge of a
  team that holds no pack writes nothing.
- Order of entries (entry_seq) inside a day: purchases by subscription_id; transfers in
  event_id order (a merge's packs by subscription_id), each a `transfer` row then its
  out/in pair; adjustments in event_id order; consumption by team (text order), packs in
  burn-down order, then the team's `unallocated`; expiries by subscription_id. Expiries
  are written at the end of their end_date, so `day` never decreases along entry_seq.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .adjustments import apply_adjustments
from .calendar import Calendar, Consumption, build_calendar
from .model import ALLOCATION, EVENT, EXPIRY, PURCHASE, UNALLOCATED, Entry, Event, Pack
from .state import Book, Journal
from .transfers import apply_transfers


@dataclass(frozen=True)
class Ledger:
    entries: list[Entry]
    remaining: dict[str, Decimal]  # per pack, at the end of as_of (0 once expired)


def build_ledger(
    packs: Iterable[Pack], events: Iterable[Event], consumption: Consumption, as_of: date
) -> list[Entry]:
    """The entries of int_ledger_entries, entry_seq 1, 2, ... in production order."""
    return run_ledger(packs, events, consumption, as_of).entries


def run_ledger(
    packs: Iterable[Pack], events: Iterable[Event], consumption: Consumption, as_of: date
) -> Ledger:
    packs = list(packs)
    book, journal = Book(packs), Journal()
    cal = build_calendar(packs, events, consumption, as_of)
    for day in cal.days:
        _run_day(book, journal, cal, day)
    return Ledger(journal.entries, book.remaining())


def _run_day(book: Book, journal: Journal, cal: Calendar, day: date) -> None:
    for pack in cal.starts.get(day, ()):
        state = book.packs[pack.subscription_id]
        book.start(state)
        if pack.seat_quantity:
            journal.write(EVENT, state.holder, day, pack.subscription_id,
                          state.remaining, PURCHASE)  # fmt: skip
    apply_transfers(book, journal, day, cal.transfers.get(day, []))
    apply_adjustments(book, journal, day, cal.adjustments.get(day, []))
    for team, tokens in cal.usage.get(day, ()):
        consume(book, journal, day, team, tokens)
    if day < cal.as_of:  # an expiry dated after as_of is not written yet
        for pack in cal.ends.get(day, ()):
            _expire(book, journal, day, pack)


def consume(book: Book, journal: Journal, day: date, team: str, tokens: Decimal) -> None:
    """The day's draw of one team from its active packs in burn-down order; what no pack
    covers is `unallocated`. The forecast projects with this same function."""
    need = tokens
    for state in book.live_packs(team):  # active today, in burn-down order
        if need <= 0:
            break
        take = min(need, state.remaining)
        if take > 0:
            state.remaining -= take
            need -= take
            journal.write(ALLOCATION, team, day, state.pack.subscription_id, take)
    if need > 0:
        journal.write(UNALLOCATED, team, day, None, need)


def _expire(book: Book, journal: Journal, day: date, pack: Pack) -> None:
    state = book.packs[pack.subscription_id]
    left = state.remaining
    book.expire(state)
    if left > 0:
        journal.write(EVENT, state.holder, day + timedelta(days=1), pack.subscription_id,
                      -left, EXPIRY)  # fmt: skip
