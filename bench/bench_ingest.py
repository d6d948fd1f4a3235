"""Ingest `bench-10m` and, in the same run, time DuckDB's bare read_csv of the same files.

    .venv/bin/python -m bench.bench_ingest [--preset bench-10m] [--memory-limit 1GB]

Both steps run in fresh processes on a fresh DuckDB file with the same memory limit and
threads; the results go to the `ingest` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from bench.common import BENCH_DATA, feeds, machine, peak_rss_mb, run_child, write_section

STEPS = ("bare-union", "bare-grouped", "ingest")


def bare_read(landing: Path, database: Path, memory_limit: str, grouped: bool) -> dict:
    """CREATE TABLE AS SELECT * FROM read_csv(...) of every CSV file of each feed: all files
    in one call with union_by_name (sniffs each file), or one call per header (`grouped`,
    sniffing one file per group: the fastest a bare read of these files gets)."""
    import duckdb

    con = duckdb.connect(str(database), config={"memory_limit": memory_limit})
    con.execute("set enable_progress_bar = false")
    started = time.perf_counter()
    rows = 0
    for feed_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        files = sorted(str(p) for p in feed_dir.rglob("*") if p.suffix.lower() == ".csv")
        groups: dict[str, list[str]] = {}
        for file in files:
            with open(file, "rb") as handle:
                key = handle.readline() if grouped else b""
            groups.setdefault(key, []).append(file)
        for number, group in enumerate(groups.values()):
            table = f"{feed_dir.name}_{number}"
            options = "union_by_name = false" if grouped else "union_by_name = true"
            con.execute(f"create table {table} as select * from read_csv(?, {options})", [group])
            rows += con.execute(f"select count(*) from {table}").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": peak_rss_mb()}


def ingest(landing: Path, database: Path, memory_limit: str) -> dict:
    import duckdb

    from ingest.pipeline import ingest_all

    con = duckdb.connect(str(database), config={"memory_limit": memory_limit})
    started = time.perf_counter()
    results = ingest_all(con, landing, database.parent / "archive", "bench")
    con.close()
    return {"seconds": time.perf_counter() - started,
            "rows": sum(r.rows_loaded for r in results.values()),
            "rejected": sum(r.rows_rejected for r in results.values()),
            "peak_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench-10m")
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = BENCH_DATA / args.preset / "run"
    if args.step:  # child process: one measured step
        database = work / f"{args.step}.duckdb"
        if args.step == "ingest":
            result = ingest(feeds(args.preset), database, args.memory_limit)
        else:
            result = bare_read(feeds(args.preset), database, args.memory_limit,
                               grouped=args.step == "bare-grouped")
        print(json.dumps(result))
        return
    landing = feeds(args.preset)
    size_mb = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 1e6
    results = {}
    for step in STEPS:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"{step} ...", flush=True)
        results[step] = run_child("bench.bench_ingest", "--preset", args.preset,
                                  "--memory-limit", args.memory_limit, "--step", step)
    shutil.rmtree(work, ignore_errors=True)
    union, bare, done = results["bare-union"], results["bare-grouped"], results["ingest"]
    ratio = done["seconds"] / bare["seconds"]
    rows = [
        ("bare `read_csv`, all files of a feed in one call (`union_by_name`)", union,
         f"{union['rows']:,}"),
        ("bare `read_csv`, one call per header (sniffs one file each)", bare,
         f"{bare['rows']:,}"),
        ("`ingest_all` (hash, parse, validate, load, audit, archive)", done,
         f"{done['rows']:,} loaded, {done['rejected']:,} rejected"),
    ]
    table = "\n".join(
        f"| {label} | {r['seconds']:.1f} s | {count} | {r['rows'] / r['seconds']:,.0f} "
        f"| {r['peak_mb']:,} MB |" for label, r, count in rows)
    body = f"""## Ingest (`python -m bench.bench_ingest --preset {args.preset}`)

{args.preset}: {size_mb:,.0f} MB of feeds; FLEXWH_MEMORY_LIMIT={args.memory_limit}; {machine()}.

| step | wall time | rows | rows per second | peak memory |
|---|---|---|---|---|
{table}

Ratio ingest / fastest bare read: **{ratio:.2f}×** (goal: at most 2×); peak memory goal:
under 2 GB. Both bare reads keep DuckDB's sniffed types and neither hashes, validates nor
records anything; they are the floor, not an equivalent.
"""
    write_section("ingest", body)
    print(body)


if __name__ == "__main__":
    sys.exit(main())
