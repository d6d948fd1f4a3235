"""The engine's running state: who holds each pack and what it holds, and the journal of
entries written so far."""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .model import WARNING, Entry, Pack

ZERO = Decimal(0)


class PackState:
    """A pack as the days go by. `live` = started and not yet expired, i.e. active today."""

    __slots__ = ("pack", "holder", "remaining", "live")

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.holder = pack.team
        self.remaining = ZERO  # upcoming and expired packs hold nothing
        self.live = False


def _burn_key(state: PackState) -> tuple[date, int, str]:
    return state.pack.burn_key


class Book:
    """Every pack's state, indexed by team.

    `held` has every pack a team holds, whatever its status (merges move them all);
    `live` has only the active ones, kept in burn-down order, so a day's consumption walks
    a short, already sorted list instead of sorting the team's packs again.
    """

    def __init__(self, packs: Iterable[Pack]) -> None:
        self.packs: dict[str, PackState] = {}
        self.held: dict[str, set[str]] = {}
        self.live: dict[str, list[PackState]] = {}
        for pack in packs:
            if pack.subscription_id in self.packs:
                raise ValueError(f"pack {pack.subscription_id} given twice")
            self.packs[pack.subscription_id] = PackState(pack)
            self.held.setdefault(pack.team, set()).add(pack.subscription_id)

    def start(self, state: PackState) -> None:
        state.live = True
        state.remaining = Decimal(state.pack.seat_quantity)
        insort(self.live.setdefault(state.holder, []), state, key=_burn_key)

    def expire(self, state: PackState) -> None:
        state.live = False
        state.remaining = ZERO
        self.live[state.holder].remove(state)

    def give(self, state: PackState, team: str) -> None:
        """The pack belongs to `team` from now on, with what it holds."""
        sid = state.pack.subscription_id
        self.held[state.holder].discard(sid)
        self.held.setdefault(team, set()).add(sid)
        if state.live:
            self.live[state.holder].remove(state)
            insort(self.live.setdefault(team, []), state, key=_burn_key)
        state.holder = team

    def held_by(self, team: str) -> list[str]:
        return sorted(self.held.get(team, ()))

    def live_packs(self, team: str) -> list[PackState]:
        return self.live.get(team, [])

    def remaining(self) -> dict[str, Decimal]:
        return {sid: state.remaining for sid, state in sorted(self.packs.items())}


class Journal:
    """Entries in the order they are produced; entry_seq numbers that order from 1."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def write(
        self,
        entry_type: str,
        team: str | None,
        day: date,
        subscription_id: str | None = None,
        tokens: Decimal | None = None,
        event_type: str | None = None,
        counterparty_team: str | None = None,
        source_event_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.entries.append(
            Entry(
                entry_type, team, day, subscription_id, tokens, event_type,
                counterparty_team, source_event_id, len(self.entries) + 1, detail,
            )
        )  # fmt: skip

    def warn(
        self,
        code: str,
        team: str | None,
        day: date,
        subscription_id: str | None,
        source_event_id: str,
        detail: str,
        tokens: Decimal | None = None,
    ) -> None:
        self.write(
            WARNING, team, day, subscription_id, tokens, code,
            source_event_id=source_event_id, detail=detail,
        )  # fmt: skip
