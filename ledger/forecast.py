"""The forecast of insights.md: each team draws its burn_rate_30d every day from
`as_of + 1` on, from the packs it holds on as_of, with the engine's own burn-down
(`burndown.consume` on a `Book`): one implementation of the order and of expiry.

A projected day: packs starting that day become available, the day's draw is taken, then
packs ending that day expire. The run-out date is the first day the packs give less than
the draw (a shortfall is not carried over); nothing is projected past the horizon.

The projected balance of a team on a day is what its packs active that day hold once its
draw is taken: tokens_available as the overview counts it on as_of (a pack ending that day
still counts; it is gone the next day). Its curve runs from as_of up to the day from which it stays
0 to the end of the horizon (docs/insights.md); a team holding nothing has one point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .burndown import consume
from .model import ALLOCATION, UNALLOCATED, Pack
from .state import Book, Journal

HORIZON_DAYS = 1096
ZERO = Decimal(0)


@dataclass(frozen=True)
class HeldPack:
    """A pack a team holds on as_of, active or upcoming (dim_token_pack)."""

    subscription_id: str
    team: str  # the holder at the end of as_of
    seat_quantity: int
    start_date: date
    end_date: date
    tokens_remaining: Decimal  # at the end of as_of; seat_quantity when upcoming


@dataclass(frozen=True)
class PackForecast:
    subscription_id: str
    team: str
    projected_tokens_used: Decimal
    projected_tokens_expiring: Decimal
    projected_empty_date: date | None


@dataclass(frozen=True)
class Forecast:
    packs: list[PackForecast]
    run_out: dict[str, date | None]  # per team with a burn rate
    balance: dict[str, list[tuple[date, Decimal]]]  # per team with a burn rate


def project(packs: Iterable[HeldPack], burn_rates: dict[str, Decimal], as_of: date,
            horizon_days: int = HORIZON_DAYS) -> Forecast:
    held = list(packs)
    book = Book(Pack(p.subscription_id, p.team, p.seat_quantity, p.start_date, p.end_date)
                for p in held)
    used = {p.subscription_id: ZERO for p in held}
    expiring: dict[str, Decimal] = {}
    empty: dict[str, date] = {}
    starts: dict[date, list[str]] = {}
    ends: dict[date, list[str]] = {}
    for pack in held:
        if pack.start_date <= as_of:
            state = book.packs[pack.subscription_id]
            book.start(state)  # active on as_of: it holds what the ledger left it
            state.remaining = pack.tokens_remaining
        else:
            starts.setdefault(pack.start_date, []).append(pack.subscription_id)
        ends.setdefault(pack.end_date, []).append(pack.subscription_id)
    curves = _Curves(book, burn_rates, as_of)
    for sid in ends.pop(as_of, []):  # active all of as_of, expiring at its end
        curves.add(book.packs[sid].holder, -book.packs[sid].remaining)
        _expire(book, sid, expiring)

    run_out: dict[str, date | None] = {team: None for team in burn_rates}
    drawing = sorted(team for team, rate in burn_rates.items() if rate > 0)
    journal = Journal()
    last = as_of + timedelta(days=horizon_days)
    day = as_of
    while day < last:
        day += timedelta(days=1)
        for sid in starts.pop(day, []):
            book.start(book.packs[sid])
            curves.add(book.packs[sid].holder, book.packs[sid].remaining)
        for team in drawing:
            before = len(journal.entries)
            consume(book, journal, day, team, burn_rates[team])
            for entry in journal.entries[before:]:
                if entry.entry_type == ALLOCATION:
                    used[entry.subscription_id] += entry.tokens
                    curves.add(team, -entry.tokens)
                    if book.packs[entry.subscription_id].remaining == 0:
                        empty.setdefault(entry.subscription_id, day)
                elif entry.entry_type == UNALLOCATED and run_out[team] is None:
                    run_out[team] = day
        curves.close_day(day)
        for sid in ends.pop(day, []):
            curves.add(book.packs[sid].holder, -book.packs[sid].remaining)
            _expire(book, sid, expiring)
    for pack in held:  # past the horizon: what a pack holds then counts as expiring
        if pack.subscription_id not in expiring:
            state = book.packs[pack.subscription_id]
            # not live and not expired: it starts after the horizon, untouched
            expiring[pack.subscription_id] = (state.remaining if state.live
                                              else pack.tokens_remaining)
    return Forecast(
        [PackForecast(p.subscription_id, p.team, used[p.subscription_id],
                      expiring[p.subscription_id], empty.get(p.subscription_id))
         for p in sorted(held, key=lambda p: p.subscription_id)],
        run_out,
        curves.trimmed(),
    )


class _Curves:
    """Each team's projected balance day by day, kept as a running total."""

    def __init__(self, book: Book, teams: Iterable[str], as_of: date) -> None:
        self.total = {team: sum((state.remaining for state in book.live_packs(team)), ZERO)
                      for team in teams}
        self.points: dict[str, list[tuple[date, Decimal]]] = {
            team: [(as_of, total)] for team, total in self.total.items()}

    def add(self, team: str, tokens: Decimal) -> None:
        if team in self.total:
            self.total[team] += tokens

    def close_day(self, day: date) -> None:
        for team, total in self.total.items():
            self.points[team].append((day, total))

    def trimmed(self) -> dict[str, list[tuple[date, Decimal]]]:
        """Each curve without its tail of zeros, but for the first day of that tail."""
        curves = {}
        for team, points in self.points.items():
            end = len(points)
            while end > 1 and points[end - 1][1] == 0 and points[end - 2][1] == 0:
                end -= 1
            curves[team] = points[:end]
        return curves


def _expire(book: Book, sid: str, expiring: dict[str, Decimal]) -> None:
    state = book.packs[sid]
    if state.live:
        expiring[sid] = state.remaining
        book.expire(state)
    else:
        expiring[sid] = ZERO
