"""metrics.md's invariants on random scenarios (random.Random(seed), several seeds).

The entries are replayed on their own, in entry_seq order, and checked against what the
engine reports and against the rules: per pack seat + adjustments = allocated +
remaining + expired and never below zero; per team consumed = allocated + unallocated;
each allocation from a pack the team holds, active that day, in burn-down order.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ledger import Event, Pack, run_ledger

TEAMS = ("T0", "T1", "T2", "T3", "T4")
DAY0 = date(2025, 1, 1)
ZERO = Decimal(0)


def _tokens(rng: random.Random, top: int) -> Decimal:
    return Decimal(rng.randint(0, top * 1000)) / 1000  # up to 3 decimals


def scenario(seed: int):
    rng = random.Random(seed)
    packs = []
    for i in range(rng.randint(10, 40)):
        start = DAY0 + timedelta(days=rng.randint(0, 500))
        end = start + timedelta(days=rng.choice((0, 30, 90, 364, rng.randint(0, 400))))
        packs.append(Pack(f"S{i}", rng.choice(TEAMS), rng.choice((0, 10, 50, 100, 500)),
                          start, end))  # fmt: skip
    events = []
    for i in range(rng.randint(0, 40)):
        # Mostly about a real pack on one of its active days; sometimes any day, any id.
        target = rng.choice(packs)
        sid = target.subscription_id if rng.random() < 0.9 else "NOPE"
        day = target.start_date + timedelta(days=rng.randint(0, (target.end_date
                                                                 - target.start_date).days))
        if rng.random() < 0.3:
            day = DAY0 + timedelta(days=rng.randint(0, 560))
        kind = rng.choice(("move", "merge", "adjustment"))
        if kind == "move":
            from_team = rng.choice((None, target.team, *TEAMS))
            event = Event(f"E{i}", day, kind, sid, from_team, rng.choice(TEAMS))
        elif kind == "merge":
            event = Event(f"E{i}", day, kind, None, rng.choice(TEAMS), rng.choice(TEAMS))
        else:
            tokens = _tokens(rng, 200) * rng.choice((1, -1)) or Decimal(1)
            event = Event(f"E{i}", day, kind, sid, tokens=tokens)
        events.append(event)
        if rng.random() < 0.2:  # another transfer the same day: second_transfer warnings
            events.append(Event(f"E{i}b", day, "move", sid, None, rng.choice(TEAMS)))
    usage = [(rng.choice(TEAMS), DAY0 + timedelta(days=rng.randint(0, 560)), _tokens(rng, 15))
             for _ in range(rng.randint(0, 400))]  # fmt: skip
    as_of = DAY0 + timedelta(days=rng.randint(200, 540))
    return packs, events, usage, as_of


@pytest.mark.parametrize("seed", range(40))
def test_invariants_hold_on_random_scenarios(seed):
    packs, events, usage, as_of = scenario(seed)
    ledger = run_ledger(packs, events, usage, as_of)
    entries = ledger.entries
    by_id = {p.subscription_id: p for p in packs}

    assert [e.entry_seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.day <= as_of for e in entries)
    assert [e.day for e in entries] == sorted(e.day for e in entries)  # seq follows days

    holder = {p.subscription_id: p.team for p in packs}
    balance: dict[str, Decimal] = defaultdict(Decimal)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # (sid, what) -> Σ
    per_team: dict[str, Decimal] = defaultdict(Decimal)
    team_day: tuple | None = None
    for e in entries:
        sid = e.subscription_id
        if e.entry_type == "transfer":
            assert e.tokens == balance[sid] and e.counterparty_team == holder[sid]
            holder[sid] = e.team
        elif e.entry_type == "event":
            assert e.tokens != 0
            if e.event_type in ("move_out", "merge_out", "move_in", "merge_in"):
                # out: the giver, in: the receiver (holder already updated by the transfer)
                assert (e.team == holder[sid]) == e.event_type.endswith("_in")
                continue
            assert e.team == holder[sid]
            balance[sid] += e.tokens
            totals[(sid, e.event_type)] += e.tokens
        elif e.entry_type == "allocation":
            pack = by_id[sid]
            assert e.tokens > 0 and e.team == holder[sid] and pack.active_on(e.day)
            # burn-down order: no pack the team holds, active and with tokens, comes first
            if team_day != (e.team, e.day):
                team_day, last_key = (e.team, e.day), None
            assert last_key is None or last_key < pack.burn_key
            last_key = pack.burn_key
            assert not [s for s, t in holder.items() if t == e.team and s != sid
                        and by_id[s].active_on(e.day) and balance[s] > 0
                        and by_id[s].burn_key < pack.burn_key]  # fmt: skip
            balance[sid] -= e.tokens
            totals[(sid, "allocated")] += e.tokens
            per_team[e.team] += e.tokens
        elif e.entry_type == "unallocated":
            assert e.tokens > 0 and e.subscription_id is None
            # nothing left in the team's active packs
            assert not [s for s, t in holder.items() if t == e.team
                        and by_id[s].active_on(e.day) and balance[s] > 0]  # fmt: skip
            per_team[e.team] += e.tokens
        if sid in by_id:
            assert balance[sid] >= 0, f"{sid} below zero at entry {e.entry_seq}"

    for p in packs:
        sid = p.subscription_id
        assert ledger.remaining[sid] == balance[sid] >= 0
        seats = Decimal(p.seat_quantity) if p.start_date <= as_of else ZERO
        assert totals[(sid, "purchase")] == seats
        adjusted = totals[(sid, "adjustment")]
        expired = -totals[(sid, "expiry")]
        assert seats + adjusted == totals[(sid, "allocated")] + ledger.remaining[sid] + expired
        if p.end_date < as_of:  # expired: its expiry (dated end + 1) is on or before as_of
            assert ledger.remaining[sid] == 0

    consumed: dict[str, Decimal] = defaultdict(Decimal)
    for team, day, tokens in usage:
        if day <= as_of:
            consumed[team] += tokens
    assert {t: v for t, v in consumed.items() if v} == {t: v for t, v in per_team.items() if v}
