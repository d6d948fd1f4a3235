"""Day-by-day burn-down (metrics.md) run while generating, so no team overspends.

Each day, for each team: token events apply, the team orders a pack when its balance runs
low, then its users' launches are charged to its packs in burn-down order. Launches the
balance cannot cover are blocked, as Autodesk blocks them, and never reach the usage files.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .activity import Candidates
from .catalog import PACK_SIZES
from .dates import pack_end
from .ledger import (
    CREDIT_REASONS,
    DEBIT_REASONS,
    MERGE_REASON,
    MOVE_REASONS,
    Ledger,
    Pack,
    Plan,
)

COVER_DAYS = (60, 120, 180, 365)  # how far ahead a team buys: its purchasing habit


class BurnDown:
    def __init__(self, days: list[date], starts: list[int], cand: Candidates, rng) -> None:
        self.days, self.cand, self.rng = days, cand, rng
        self.n_teams = len(starts)
        self.starts = starts
        self.stops = [len(days)] * self.n_teams  # first day a merged team no longer uses
        self.held: list[list[Pack]] = [[] for _ in starts]
        self.pending = [-1] * self.n_teams  # day an ordered pack starts, -1: none
        self.used = np.zeros((self.n_teams, len(days)), dtype=np.int64)
        self.keep = np.ones(len(cand.day), dtype=bool)
        self.received: set[int] = set()  # teams that got a pack by a move
        self.ledger = Ledger()
        self.next_sid = int(rng.integers(10**13, 8 * 10**13))
        self.cover = rng.choice(COVER_DAYS, self.n_teams)
        self.lead = rng.integers(14, 45, self.n_teams)
        # What each team expects to burn a day once running: its admin's rough forecast.
        alive = [max(len(days) - s, 1) for s in starts]
        self.forecast = cand.demand.sum(axis=1) / np.array(alive)

    def run(self, plans: list[Plan]) -> Ledger:
        for plan in plans:
            if plan.kind == "merge":
                self.stops[plan.team] = plan.day
        by_day: dict[int, list[Plan]] = {}
        for plan in plans:
            by_day.setdefault(plan.day, []).append(plan)
        for d in range(len(self.days)):
            for plan in by_day.get(d, ()):
                getattr(self, f"_{plan.kind}")(plan, d)
            for t in range(self.n_teams):
                if self.starts[t] <= d < self.stops[t]:
                    self._team_day(t, d)
        for t, stop in enumerate(self.stops):  # a merged team stops using Flex
            self.keep[(self.cand.team == t) & (self.cand.day >= stop)] = False
        return self.ledger

    def alive(self, team: int, d: int) -> bool:
        return self.starts[team] <= d < self.stops[team]

    def _team_day(self, t: int, d: int) -> None:
        for pack in [p for p in self.held[t] if p.end < d]:
            self.held[t].remove(pack)
            self.ledger.expired_with_tokens += pack.remaining > 0
        active = sorted((p for p in self.held[t] if p.start <= d), key=lambda p: p.order)
        need = self.forecast[t]  # a new team plans with its forecast, then looks back
        if d - self.starts[t] >= 28:
            need = max(self.used[t, d - 28:d].sum() / 28, 0.5 * need, 1.0)
        buy_now = d == self.starts[t] or self.pending[t] == d
        if not buy_now and self.pending[t] < 0:
            runway = sum(min(p.remaining, need * (p.end - d + 1)) for p in active)
            if runway < need * self.lead[t]:
                # Paperwork: a pack is often bought the same day, sometimes days later.
                delay = 0 if self.rng.random() < 0.6 else int(self.rng.integers(1, 12))
                self.pending[t] = d + delay
                buy_now = delay == 0
        if buy_now:
            active = sorted([*active, self._buy(t, d, need)], key=lambda p: p.order)
        balance = sum(p.remaining for p in active)
        wanted = int(self.cand.demand[t, d])
        used = wanted if wanted <= balance else self._block(t, d, balance)
        self.used[t, d] = used
        for pack in active:
            take = min(pack.remaining, used)
            pack.remaining -= take
            used -= take

    def _block(self, t: int, d: int, balance: int) -> int:
        """Launches in random order; each is refused once the balance is below its rate."""
        rows = self.cand.rows_of(d, t, self.n_teams)
        tokens = self.cand.tokens[rows]
        kept = np.zeros(len(tokens), dtype=bool)
        for i in self.rng.permutation(len(tokens)):
            if tokens[i] <= balance:
                kept[i], balance = True, balance - tokens[i]
        self.keep[rows] = kept
        self.ledger.blocked_days += 1
        return int(tokens[kept].sum())

    def _buy(self, t: int, d: int, need: float) -> Pack:
        self.pending[t] = -1
        pack = self.new_pack(t, d, need * self.cover[t] * self.rng.uniform(0.7, 1.3))
        self.held[t].append(pack)
        return pack

    def new_pack(self, t: int, d: int, tokens: float) -> Pack:
        qty = next((s for s in PACK_SIZES if s >= tokens), None)
        if qty is None:  # beyond the largest pack: a quote in round 50,000s
            qty = int(-(-tokens // 50000) * 50000)
        self.next_sid += int(self.rng.integers(1, 1000))
        end = (pack_end(self.days[0] + timedelta(days=d)) - self.days[0]).days
        contract = f"1100{int(self.rng.integers(10**7, 10**8))}"
        pack = Pack(str(self.next_sid), t, qty, d, end, qty, contract)
        self.ledger.packs.append(pack)
        return pack

    def _active(self, t: int, d: int) -> list[Pack]:
        """Packs a team can use today and past tomorrow, richest first."""
        packs = [p for p in self.held[t] if p.start <= d < p.end and p.remaining > 0]
        return sorted(packs, key=lambda p: (-p.remaining, p.order))

    def _move(self, plan: Plan, d: int) -> None:
        """The team with the most days of tokens to spare hands a pack to the planned team.

        A team that once needed tokens from others never gives any away.
        """
        donors = [t for t in range(self.n_teams)
                  if t != plan.team and self.alive(t, d) and self._active(t, d)
                  and t not in self.received]
        if not self.alive(plan.team, d) or not donors:
            return
        donor = max(donors, key=lambda t: sum(p.remaining for p in self.held[t])
                    / max(self.forecast[t], 1.0))
        pack = self._active(donor, d)[0]
        self.held[donor].remove(pack)
        self.held[plan.team].append(pack)
        self.received.add(plan.team)
        # from_team is optional for a move: leave it out of the first one.
        shown = donor if any(e.kind == "move" for e in self.ledger.events) else -1
        reason = MOVE_REASONS[int(self.rng.integers(len(MOVE_REASONS)))]
        self.ledger.add_event(day=d, kind="move", sid=pack.sid, from_team=shown,
                              to_team=plan.team, reason=reason)

    def _merge(self, plan: Plan, d: int) -> None:
        self.held[plan.other].extend(self.held[plan.team])
        self.held[plan.team] = []
        self.pending[plan.team] = -1
        self.ledger.add_event(day=d, kind="merge", from_team=plan.team, to_team=plan.other,
                              reason=MERGE_REASON)

    def _adjustment(self, plan: Plan, d: int) -> None:
        """A credit or a correction on one active pack; a debit never exceeds its balance."""
        order = [plan.team] + [int(t) for t in self.rng.permutation(self.n_teams)]
        team = next((t for t in order if self.alive(t, d) and self._active(t, d)), None)
        if team is None:
            return
        pack = self._active(team, d)[0]
        if plan.sign > 0:
            tokens = int(self.rng.choice((25, 50, 100, 250)))
            reason = CREDIT_REASONS[int(self.rng.integers(len(CREDIT_REASONS)))]
        else:
            tokens = -min(int(self.rng.choice((10, 20, 50, 100))), pack.remaining)
            reason = DEBIT_REASONS[int(self.rng.integers(len(DEBIT_REASONS)))]
        pack.remaining += tokens
        self.ledger.add_event(day=d, kind="adjustment", sid=pack.sid, tokens=tokens,
                              reason=reason)
