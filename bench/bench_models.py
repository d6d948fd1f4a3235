"""Time a layer of dbt models on an ingested `bench-10m` warehouse.

    .venv/bin/python -m bench.bench_models windows [--preset bench-10m] [--memory-limit 4GB 1500MB]

The warehouse is ingested and everything outside the layer is built once and kept under
data/bench/<preset>/; each measurement (one per memory limit) copies it and runs
`dbt run --select <layer>` in a child process (wall time of the dbt command, peak memory
of that process, the slowest models from dbt's run_results.json), then writes the
`models-<layer>` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import BENCH_DATA, END_DATE, ROOT, feeds, machine, write_section

LAYERS = {
    "ledger": "path:models/intermediate/ledger path:models/marts/ledger",
    "windows": "path:models/marts/windows",
}
# Memory limits measured by default. The windows layer has a goal of under 30 s with a peak
# under 2 GB (issue 4): FLEXWH_MEMORY_LIMIT=1500MB is what a 2 GB budget is configured with
# (DuckDB's limit covers its buffers, not the whole process), next to the spec's 4GB default.
DEFAULT_LIMITS = {"ledger": ["4GB"], "windows": ["4GB", "1500MB"]}
GOALS = {"windows": (30.0, 2000)}  # seconds, MB: both in the same run
DBT = Path(sys.executable).parent / "dbt"


def _dbt(command: str, select: str, exclude: str, warehouse: Path, memory_limit: str,
         target: Path) -> tuple[float, int]:
    """Run one dbt command; (seconds, peak memory of that dbt process in MB)."""
    args = [str(DBT), command, "--profiles-dir", ".", "--project-dir", ".",
            "--target-path", str(target / "target"), "--log-path", str(target / "logs"),
            "--vars", json.dumps({"as_of": END_DATE.isoformat()})]
    args += ["--select", *select.split()] if select else []
    args += ["--exclude", *exclude.split()] if exclude else []
    env = {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse),
           "FLEXWH_DATA_DIR": str(warehouse.parent), "FLEXWH_MEMORY_LIMIT": memory_limit,
           "FLEXWH_HASH_KEY": "bench-hash-key-0123456789"}
    target.mkdir(parents=True, exist_ok=True)
    output = target / "dbt-output.txt"
    started = time.perf_counter()
    with output.open("w") as out:
        process = subprocess.Popen(args, cwd=ROOT / "dbt_project", env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
        # wait4: the rusage of this child alone (RUSAGE_CHILDREN keeps the maximum over
        # every child so far, e.g. the build of the models outside the layer).
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"dbt {command} failed:\n{output.read_text()[-3000:]}")
    return seconds, round(usage.ru_maxrss / 1024)


def prepared(preset: str, layer: str, memory_limit: str) -> Path:
    """A warehouse with the feeds ingested and every model outside `layer` built."""
    base = BENCH_DATA / preset / f"models-{layer}"
    warehouse = base / "warehouse.duckdb"
    if not (base / ".complete").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        import duckdb

        from ingest.pipeline import ingest_all

        print(f"ingesting {preset} into {warehouse} ...", flush=True)
        with duckdb.connect(str(warehouse), config={"memory_limit": memory_limit}) as con:
            ingest_all(con, feeds(preset), base / "archive", "bench")
        print("building the models outside the layer ...", flush=True)
        _dbt("run", "", LAYERS[layer], warehouse, memory_limit, base / "dbt")
        (base / ".complete").write_text("ok\n")
    return warehouse


def measure(source: Path, layer: str, memory_limit: str) -> dict:
    """One `dbt run` of the layer on a copy of the prepared warehouse."""
    run = source.parent / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    shutil.copy(source, run / "warehouse.duckdb")
    load = os.getloadavg()[0]
    print(f"dbt run --select {LAYERS[layer]} at {memory_limit} ...", flush=True)
    seconds, peak = _dbt("run", LAYERS[layer], "", run / "warehouse.duckdb", memory_limit,
                         run / "dbt")
    results = json.loads((run / "dbt" / "target" / "run_results.json").read_text())["results"]
    models = sorted(((r["unique_id"].split(".")[-1], r["execution_time"]) for r in results
                     if r["unique_id"].startswith("model.")),  # not the on-run hooks
                    key=lambda model: -model[1])
    shutil.rmtree(run, ignore_errors=True)
    return {"limit": memory_limit, "seconds": seconds, "peak": peak, "load": load,
            "models": models}


def _goal(layer: str, runs: list[dict]) -> str:
    if layer not in GOALS:
        return ""
    seconds, peak = GOALS[layer]
    met = [r["limit"] for r in runs if r["seconds"] < seconds and r["peak"] < peak]
    verdict = f"met at {', '.join(met)}" if met else "not met"
    return f"\nGoal: under {seconds:.0f} s with a peak under {peak:,} MB in one run: {verdict}.\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("layer", choices=sorted(LAYERS))
    parser.add_argument("--preset", default="bench-10m")
    parser.add_argument("--memory-limit", nargs="+", metavar="LIMIT",
                        help="FLEXWH_MEMORY_LIMIT values, one run each "
                             "(default: 4GB, and 1500MB for windows)")
    args = parser.parse_args()
    limits = args.memory_limit or DEFAULT_LIMITS[args.layer]
    source = prepared(args.preset, args.layer, limits[0])
    runs = [measure(source, args.layer, limit) for limit in limits]
    threads = os.environ.get("FLEXWH_THREADS") or "2 (the profile's default)"
    rows = "\n".join(
        f"| {r['limit']} | {r['seconds']:.1f} s | {r['peak']:,} MB | {r['load']:.1f} | "
        + ", ".join(f"{name} {secs:.1f} s" for name, secs in r["models"][:3]) + " |"
        for r in runs)
    body = f"""## dbt layer `{args.layer}` (`python -m bench.bench_models {args.layer}`)

{args.preset}, as of {END_DATE}; {machine()}; dbt and DuckDB threads: {threads}.
`dbt run --select {LAYERS[args.layer]}` ({len(runs[0]['models'])} models): wall time of the
dbt command (its own start-up of about 4–5 s included), peak memory of the dbt process
(DuckDB runs in it), load average of the machine before the run, slowest models as dbt
times them (models run concurrently on dbt's threads, so their times overlap).

| FLEXWH_MEMORY_LIMIT | wall time | peak memory | load | slowest models |
|---|---|---|---|---|
{rows}
{_goal(args.layer, runs)}"""
    write_section(f"models-{args.layer}", body)
    print(body)


if __name__ == "__main__":
    main()
