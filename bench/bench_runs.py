"""Time whole `flexwh run`s on bench-10m against the plain-SQL baseline (bench/baseline.py).

    .venv/bin/python -m bench.bench_runs [--preset bench-10m] [--memory-limit 1GB]

The preset's last day of usage (END_DATE) is held back: the landing folder first gets every
other file (hard links into data/bench/<preset>/runs/landing), then
0. baseline: bench/baseline.py on that landing folder, as of END_DATE - 1;
1. full run: a fresh warehouse, every file of the history, as of END_DATE - 1;
2. empty run: nothing new, the same as_of (a rerun: every step runs, nothing to ingest);
3. one-day run: END_DATE's usage files land, as of END_DATE.
Back to back, the same FLEXWH_MEMORY_LIMIT. Each runs under bench/peak.py in a process of
its own (wall time, peak RSS of its largest process: the run or a dbt child). Prints the
ratios of issue 11 and writes the `runs-<preset>` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
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


def measured(command: list[str], env: dict[str, str]) -> tuple[float, int, int, list[str]]:
    """(seconds, peak MB, exit code, output lines) of one command, under bench/peak.py."""
    result = subprocess.run([sys.executable, "-m", "bench.peak", *command], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True,
                            check=False)
    *output, last = result.stdout.strip().splitlines()
    print("\n".join(output[-25:]), flush=True)
    figures = json.loads(last)
    if figures["exit"] not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed (exit {figures['exit']})")
    return figures["seconds"], figures["peak_rss_mb"], figures["exit"], output


def timed_run(data: Path, landing: Path, as_of: str, memory_limit: str) -> tuple[float, int, int]:
    """(seconds, peak MB, exit code) of one `flexwh run`."""
    return measured([sys.executable, "-m", "flexwh.cli", "run"], {
        "FLEXWH_DATA_DIR": str(data), "FLEXWH_LANDING_DIR": str(landing),
        "FLEXWH_AS_OF": as_of, "FLEXWH_HASH_KEY": HASH_KEY,
        "FLEXWH_MEMORY_LIMIT": memory_limit})[:3]


def baseline_run(preset: str, landing: Path, as_of: str, memory_limit: str
                 ) -> tuple[float, int, int]:
    """(seconds, peak MB, exit code) of bench/baseline.py: its own clock, which starts
    after its untimed `dbt compile`."""
    _, peak, code, output = measured([sys.executable, "-m", "bench.baseline", "--preset",
                                      preset, "--landing", str(landing), "--as-of", as_of,
                                      "--memory-limit", memory_limit], {})
    own = next(line for line in reversed(output) if line.startswith("{"))
    return json.loads(own)["seconds"], peak, code


def goal(text: str, value: float, limit: float) -> str:
    return f"| {text} | {value:.2f} | {limit:g} | **{'met' if value <= limit else 'NOT met'}** |"


def row(name: str, lands: str, as_of, measured: tuple[float, int, int]) -> str:
    seconds, peak, code = measured
    return f"| {name} | {lands} | {as_of} | **{seconds:.1f} s** | {peak:,} MB | {code} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench-10m")
    parser.add_argument("--memory-limit", default="1GB")
    args = parser.parse_args()
    source = feeds(args.preset)
    base = BENCH_DATA / args.preset / "runs"
    shutil.rmtree(base, ignore_errors=True)
    landing, data = base / "landing", base / "data"
    last_day = f"{END_DATE.isoformat()}.csv"

    def is_last_day(relative: Path) -> bool:
        return relative.parts[0] == "usage" and relative.name == last_day

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    history_files = link_files(source, landing, lambda rel: not is_last_day(rel))
    day_before = (END_DATE - timedelta(days=1)).isoformat()
    print(f"baseline: {history_files} files, as of {day_before} ...", flush=True)
    baseline = baseline_run(args.preset, landing, day_before, args.memory_limit)
    print(f"full run: {history_files} files, as of {day_before} ...", flush=True)
    full = timed_run(data, landing, day_before, args.memory_limit)
    print("empty run ...", flush=True)
    empty = timed_run(data, landing, day_before, args.memory_limit)
    day_files = link_files(source, landing, is_last_day)
    print(f"one-day run: {day_files} files, as of {END_DATE} ...", flush=True)
    one_day = timed_run(data, landing, END_DATE.isoformat(), args.memory_limit)
    peak = max(full[1], empty[1], one_day[1])
    body = f"""## Whole runs (`python -m bench.bench_runs --preset {args.preset}`)

{args.preset}; FLEXWH_MEMORY_LIMIT={args.memory_limit}; {machine()}; load average before
the runs {load}. Each line is one process, back to back: the plain-SQL baseline
(bench/baseline.py: read_csv, fct_daily_usage, the window marts, two COPY statements for
every team's usage and users CSV), then `flexwh run` (ingest, Great Expectations and dbt
checks, dbt build, serving database and every team's exports) on one warehouse:

| run | what lands | as_of | wall time | peak RSS | exit |
|---|---|---|---|---|---|
{row("baseline", f"the history: {history_files:,} files", day_before, baseline)}
{row("full", f"the history: {history_files:,} files, all days but {END_DATE}", day_before, full)}
{row("empty", "nothing new (a rerun)", day_before, empty)}
{row("one day", f"{day_files} usage files of {END_DATE}", END_DATE, one_day)}

Goals (issue 11):

| ratio | measured | goal | |
|---|---|---|---|
{goal("full run / baseline", full[0] / baseline[0], 2)}
{goal("empty run / full run", empty[0] / full[0], 0.10)}
{goal("one-day run / full run", one_day[0] / full[0], 0.20)}
{goal("peak RSS of the runs, GB", peak / 1024, 2)}

Peak RSS is that of the largest process of each run (the run or a dbt child).
"""
    write_section(f"runs-{args.preset}", body)
    print(body)


if __name__ == "__main__":
    main()
