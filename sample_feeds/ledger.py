"""Token packs and token events as the burn-down simulation creates them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .presets import Preset

MOVE_REASONS = ("Project transferred to another office", "Unused tokens shared with team")
MERGE_REASON = "Teams consolidated after reorganisation"
CREDIT_REASONS = ("Goodwill credit after service outage", "Credit for duplicate charge")
DEBIT_REASONS = ("Correction: credit applied twice", "Reversal of trial credit")


@dataclass
class Pack:
    sid: str
    buyer: int
    qty: int
    start: int  # day index of start_date (may lie after the range: an upcoming pack)
    end: int  # day index of end_date, inclusive
    remaining: int
    contract: str

    @property
    def order(self) -> tuple[int, int, str]:
        """Burn-down order: earliest end_date, then smaller pack, then subscription_id."""
        return (self.end, self.qty, self.sid)


@dataclass
class Event:
    event_id: str
    day: int
    kind: str  # move | merge | adjustment
    sid: str = ""
    from_team: int = -1  # -1: not written
    to_team: int = -1
    tokens: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Plan:
    """An event scheduled before the simulation; its pack is chosen on the day."""

    day: int
    kind: str
    team: int  # move: recipient; merge: merged team; adjustment: team
    other: int = -1  # merge: surviving team
    sign: int = 1


@dataclass
class Ledger:
    packs: list[Pack] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    expired_with_tokens: int = 0  # packs that expired holding tokens (breakage)
    blocked_days: int = 0  # team-days where Autodesk blocked some launches

    def add_event(self, **values) -> Event:
        event = Event(event_id=f"TE-{len(self.events) + 1:05d}", **values)
        self.events.append(event)
        return event


def schedule(preset: Preset, starts: list[int], n_days: int, rng) -> list[Plan]:
    """Moves, merges and adjustments on distinct days; merges keep the first two teams.

    The first two teams (named and hashed in the demo) are never merged away, so both
    kinds of personal-data setting keep reporting to the end.
    """
    n_teams = len(starts)
    count = preset.moves + preset.merges + preset.adjustments
    days = rng.choice(np.arange(int(n_days * 0.15), int(n_days * 0.95)), count, replace=False)
    plans, gone = [], set()
    merge_days = sorted(int(d) for d in days[: preset.merges])
    for day in merge_days:
        sources = [t for t in range(2, n_teams) if t not in gone and starts[t] < day - 60]
        if not sources:
            continue
        source = sources[int(rng.integers(len(sources)))]
        gone.add(source)
        targets = [t for t in range(n_teams) if t not in gone and starts[t] < day]
        plans.append(Plan(day, "merge", source, targets[int(rng.integers(len(targets)))]))
    for i, day in enumerate(days[preset.merges:]):
        kind = "move" if i < preset.moves else "adjustment"
        sign = 1 if rng.random() < 0.6 else -1
        plans.append(Plan(int(day), kind, int(rng.integers(n_teams)), sign=sign))
    return sorted(plans, key=lambda p: p.day)  # distinct days: one event a day at most
