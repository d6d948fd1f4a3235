"""Time `dbt build` of the usage chain on bench-10m: full refresh vs one new day, incremental.

    .venv/bin/python -m bench.bench_incremental [--preset bench-10m] [--memory-limit 4GB]

Starts from the cached warehouse of bench.bench_models (data/bench/<preset>/models-windows:
feeds ingested, everything but the window models built). On a copy: `dbt build --select
<chain> --full-refresh` as of the generator's last day; then one new usage file (the rows of
a Friday re-dated to the next day) is ingested and `dbt build --select <chain>` runs as of
that day (incremental). Writes the `incremental-usage` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.common import BENCH_DATA, END_DATE, ROOT, machine, write_section

# The usage chain and what it reads (users, settings, e-mail links), no later mart.
CHAIN = "+fct_daily_usage +int_user_identities"
DBT = Path(sys.executable).parent / "dbt"
NEXT_DAY = END_DATE + timedelta(days=1)
TEMPLATE_DAY = END_DATE - timedelta(days=7)


def _build(warehouse: Path, as_of: str, full_refresh: bool,
           memory_limit: str) -> tuple[float, float, float]:
    """Wall time of the build; Σ execution time of its models and of its tests."""
    args = [str(DBT), "build", "--select", *CHAIN.split(), "--vars", json.dumps({"as_of": as_of}),
            "--profiles-dir", ".", "--project-dir", ".",
            "--target-path", str(warehouse.parent / "dbt" / "target"),
            "--log-path", str(warehouse.parent / "dbt" / "logs")]
    args += ["--full-refresh"] if full_refresh else []
    env = {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse),
           "FLEXWH_DATA_DIR": str(warehouse.parent), "FLEXWH_MEMORY_LIMIT": memory_limit,
           "FLEXWH_HASH_KEY": "bench-hash-key-0123456789"}
    started = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT / "dbt_project", env=env, capture_output=True,
                            text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{result.stdout[-3000:]}")
    results = json.loads((warehouse.parent / "dbt" / "target" / "run_results.json").read_text())
    times = {"model": 0.0, "test": 0.0}
    for node in results["results"]:
        kind = node["unique_id"].split(".")[0]
        times[kind] = times.get(kind, 0.0) + node["execution_time"]
    return seconds, times["model"], times["test"]


def _new_day(preset: str, landing: Path) -> int:
    """Write one usage file for NEXT_DAY (the rows of TEMPLATE_DAY); its row count."""
    source = (BENCH_DATA / preset / "landing" / "usage" / "token-usage" / "named"
              / TEMPLATE_DAY.strftime("%Y-%m") / f"{TEMPLATE_DAY}.csv")
    with source.open(encoding="utf-8-sig", newline="") as f:
        header, *body = list(csv.reader(f))
    target = landing / "usage" / "token-usage" / "named" / f"{NEXT_DAY}.csv"
    target.parent.mkdir(parents=True)
    day = header.index("Day used")
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([*row[:day], NEXT_DAY.isoformat(), *row[day + 1:]] for row in body)
    return len(body)


def _row(label: str, times: tuple[float, float, float]) -> str:
    wall, models, tests = times
    return f"| {label} | **{wall:.1f} s** | {models:.1f} s | {tests:.1f} s |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench-10m")
    parser.add_argument("--memory-limit", default="4GB")
    args = parser.parse_args()
    source = BENCH_DATA / args.preset / "models-windows" / "warehouse.duckdb"
    if not (source.parent / ".complete").exists():
        raise SystemExit(f"{source} missing: run `python -m bench.bench_models windows` first")
    run = BENCH_DATA / args.preset / "incremental-run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    try:
        warehouse = run / "warehouse.duckdb"
        shutil.copy(source, warehouse)
        print("full refresh ...", flush=True)
        full = _build(warehouse, END_DATE.isoformat(), True, args.memory_limit)
        rows = _new_day(args.preset, run / "landing")
        import duckdb

        from ingest.pipeline import ingest_all

        with duckdb.connect(str(warehouse)) as con:
            ingest_all(con, run / "landing", run / "archive", "bench-incremental")
        print("incremental ...", flush=True)
        incremental = _build(warehouse, NEXT_DAY.isoformat(), False, args.memory_limit)
    finally:
        shutil.rmtree(run, ignore_errors=True)
    body = f"""## Incremental usage chain (`python -m bench.bench_incremental`)

{args.preset}; FLEXWH_MEMORY_LIMIT={args.memory_limit}; {machine()}.
`dbt build --select {CHAIN}` (models and their tests, dbt's start-up of about 4–5 s
included):

| run | wall time | Σ models | Σ tests |
|---|---|---|---|
{_row(f"`--full-refresh`, as of {END_DATE}", full)}
{_row(f"incremental, one new day ({rows:,} usage rows), as of {NEXT_DAY}", incremental)}

Σ: execution times of the nodes from dbt's run_results.json (two threads, so they add up to
more than the wall time). The tests of the chain scan whole tables (unique_combination,
relationships) and do not get cheaper with incremental models.
"""
    write_section("incremental-usage", body)
    print(body)


if __name__ == "__main__":
    main()
