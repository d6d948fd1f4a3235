"""Time the ledger engine on a synthetic input of bench-10m's shape.

    .venv/bin/python -m bench.bench_ledger_engine [--teams 250] [--days 730] [--packs 10000]

Every team uses tokens every day (the worst case: one burn-down per team-day), packs are
spread over the teams with staggered starts, and a few hundred moves, merges and
adjustments fall on random days. Prints the engine's time and the Arrow conversion's
(after pyarrow's one-time set-up, which the dbt process pays once).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from ledger import Event, Pack, build_ledger
from ledger.arrow import entries_table

DAY0 = date(2025, 1, 1)


def synthetic(teams: int, days: int, packs: int, seed: int = 42):
    rng = random.Random(seed)
    names = [f"team-{i:03d}" for i in range(teams)]
    pack_list = []
    for i in range(packs):
        start = DAY0 + timedelta(days=rng.randint(-300, days - 1))
        pack_list.append(Pack(f"S{i:05d}", names[i % teams], rng.choice((500, 1000, 5000)),
                              start, start + timedelta(days=364)))  # fmt: skip
    events = []
    for i in range(600):
        day = DAY0 + timedelta(days=rng.randint(0, days - 1))
        kind = ("move", "adjustment", "merge")[i % 3] if i < 60 else rng.choice(
            ("move", "adjustment"))
        sid = rng.choice(pack_list).subscription_id
        if kind == "merge":
            events.append(Event(f"E{i:04d}", day, kind, None, rng.choice(names),
                                rng.choice(names)))  # fmt: skip
        elif kind == "move":
            events.append(Event(f"E{i:04d}", day, kind, sid, None, rng.choice(names)))
        else:
            tokens = Decimal(rng.randint(-500, 500) or 1)
            events.append(Event(f"E{i:04d}", day, kind, sid, tokens=tokens))
    usage = {
        (team, DAY0 + timedelta(days=d)): Decimal(rng.randint(0, 40_000)) / 1000
        for team in names
        for d in range(days)
    }
    return pack_list, events, usage, DAY0 + timedelta(days=days - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=250)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--packs", type=int, default=10_000)
    args = parser.parse_args()
    packs, events, usage, as_of = synthetic(args.teams, args.days, args.packs)
    entries_table([])  # pyarrow's one-time set-up (about 1 s here) is not the conversion
    started = time.perf_counter()
    entries = build_ledger(packs, events, usage, as_of)
    engine = time.perf_counter() - started
    started = time.perf_counter()
    table = entries_table(entries)
    arrow = time.perf_counter() - started
    print(f"{len(packs)} packs, {len(events)} events, {len(usage)} team-days "
          f"-> {table.num_rows} entries: engine {engine:.2f} s, arrow {arrow:.2f} s")


if __name__ == "__main__":
    main()
