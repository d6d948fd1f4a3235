"""The days on which something happens, and what happens on each, in a fixed order.

Every list is sorted explicitly (ids, teams as text), so the engine's output never depends
on the order in which the inputs arrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .model import ADJUSTMENT, Event, Pack

Consumption = Mapping[tuple[str, date], Decimal] | Iterable[tuple[str, date, Decimal]]


@dataclass
class Calendar:
    """Per day up to as_of: packs starting and ending, transfers (moves and merges) and
    adjustments in event_id order, and each team's consumption in team order."""

    as_of: date
    starts: dict[date, list[Pack]] = field(default_factory=dict)
    ends: dict[date, list[Pack]] = field(default_factory=dict)
    transfers: dict[date, list[Event]] = field(default_factory=dict)
    adjustments: dict[date, list[Event]] = field(default_factory=dict)
    usage: dict[date, list[tuple[str, Decimal]]] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        return sorted(
            set(self.starts) | set(self.ends) | set(self.transfers)
            | set(self.adjustments) | set(self.usage)
        )  # fmt: skip


def _consumption_rows(consumption: Consumption) -> Iterable[tuple[str, date, Decimal]]:
    if isinstance(consumption, Mapping):
        return ((team, day, tokens) for (team, day), tokens in consumption.items())
    return consumption


def build_calendar(
    packs: Iterable[Pack], events: Iterable[Event], consumption: Consumption, as_of: date
) -> Calendar:
    cal = Calendar(as_of)
    for pack in sorted(packs, key=lambda p: p.subscription_id):
        # An upcoming pack (start after as_of) neither starts nor ends in the ledger.
        if pack.start_date <= as_of:
            cal.starts.setdefault(pack.start_date, []).append(pack)
        if pack.end_date <= as_of:
            cal.ends.setdefault(pack.end_date, []).append(pack)
    for event in sorted(events, key=lambda e: e.sort_key):
        if event.event_date > as_of:
            continue  # stored, but ignored by an as_of build (metrics.md)
        target = cal.adjustments if event.event_type == ADJUSTMENT else cal.transfers
        target.setdefault(event.event_date, []).append(event)
    totals: dict[tuple[date, str], Decimal] = {}
    for team, day, tokens in _consumption_rows(consumption):
        if day <= as_of:
            totals[(day, team)] = totals.get((day, team), Decimal(0)) + tokens
    for (day, team), tokens in sorted(totals.items()):
        cal.usage.setdefault(day, []).append((team, tokens))
    return cal
