"""Time whole `flexwh run`s on bench-10m: the history, a rerun with nothing new, one new day.

    .venv/bin/python -m bench.bench_runs [--preset bench-10m]

The preset's last day of usage (END_DATE) is held back: the landing folder first gets every
other file (hard links into data/bench/<preset>/runs/landing), then
1. full run: a fresh warehouse, every file of the history, as of END_DATE - 1;
2. empty run: nothing new, the same as_of (a rerun: every step runs, nothing to ingest);
3. one-day run: END_DATE's usage files land, as of END_DATE.
Each is `python -m flexwh.cli run` in its own process (wall time, peak memory of the
process and its dbt children). Writes the `runs-<preset>` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.common import BENCH_DATA, END_DATE, ROOT, feeds, machine, write_section

HASH_KEY = "bench-hash-key-0123456789"


def link_files(source: Path, target: Path, keep) -> int:
    """Hard-link the files of source that keep(path) accepts into target; how many."""
    count = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not path.name.startswith(".") and keep(relative):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            if not (target / relative).exists():
                os.link(path, target / relative)
                count += 1
    return count


def timed_run(data: Path, landing: Path, as_of: str, memory_limit: str) -> tuple[float, int, int]:
    """(seconds, peak MB of the run process, exit code) of one `flexwh run`."""
    env = {**os.environ, "FLEXWH_DATA_DIR": str(data), "FLEXWH_LANDING_DIR": str(landing),
           "FLEXWH_AS_OF": as_of, "FLEXWH_HASH_KEY": HASH_KEY,
           "FLEXWH_MEMORY_LIMIT": memory_limit}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "flexwh.cli", "run"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    print(result.stdout[-1500:], flush=True)
    if result.returncode not in (0, 3):
        raise SystemExit(f"flexwh run failed:\n{result.stdout[-3000:]}{result.stderr}")
    peak = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return seconds, peak, result.returncode


def row(name: str, lands: str, as_of, measured: tuple[float, int, int]) -> str:
    seconds, peak, code = measured
    return f"| {name} | {lands} | {as_of} | **{seconds:.1f} s** | {peak:,} MB | {code} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench-10m")
    parser.add_argument("--memory-limit", default="4GB")
    args = parser.parse_args()
    source = feeds(args.preset)
    base = BENCH_DATA / args.preset / "runs"
    shutil.rmtree(base, ignore_errors=True)
    landing, data = base / "landing", base / "data"
    last_day = f"{END_DATE.isoformat()}.csv"

    def is_last_day(relative: Path) -> bool:
        return relative.parts[0] == "usage" and relative.name == last_day

    history_files = link_files(source, landing, lambda rel: not is_last_day(rel))
    day_before = (END_DATE - timedelta(days=1)).isoformat()
    print(f"full run: {history_files} files, as of {day_before} ...", flush=True)
    full = timed_run(data, landing, day_before, args.memory_limit)
    print("empty run ...", flush=True)
    empty = timed_run(data, landing, day_before, args.memory_limit)
    day_files = link_files(source, landing, is_last_day)
    print(f"one-day run: {day_files} files, as of {END_DATE} ...", flush=True)
    one_day = timed_run(data, landing, END_DATE.isoformat(), args.memory_limit)
    budget = empty[0] + 0.10 * (full[0] - empty[0])
    verdict = "met" if one_day[0] <= budget else "NOT met"
    body = f"""## Whole runs (`python -m bench.bench_runs --preset {args.preset}`)

{args.preset}; FLEXWH_MEMORY_LIMIT={args.memory_limit}; {machine()}. Each line is one
`flexwh run` (ingest, Great Expectations and dbt checks, dbt build, serving database and
every team's exports), in this order on one warehouse:

| run | what lands | as_of | wall time | peak memory | exit |
|---|---|---|---|---|---|
{row("full", f"the history: {history_files:,} files, all days but {END_DATE}", day_before, full)}
{row("empty", "nothing new (a rerun)", day_before, empty)}
{row("one day", f"{day_files} usage files of {END_DATE}", END_DATE, one_day)}

Goal (issue 6): one-day ≤ empty + 10 % × (full − empty) = {budget:.1f} s: **{verdict}**.
Peak memory is the largest of the run process and its dbt children so far.
"""
    write_section(f"runs-{args.preset}", body)
    print(body)


if __name__ == "__main__":
    main()
