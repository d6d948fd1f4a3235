"""Time a layer of dbt models on an ingested `bench-10m` warehouse.

    .venv/bin/python -m bench.bench_models ledger [--preset bench-10m] [--memory-limit 4GB]

The warehouse is ingested and everything outside the layer is built once and kept under
data/bench/<preset>/; each measurement copies it and runs `dbt run --select <layer>` in a
child process (wall time of the dbt command, its peak memory), then writes the
`models-<layer>` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import BENCH_DATA, END_DATE, ROOT, feeds, machine, write_section

LAYERS = {
    "ledger": "path:models/intermediate/ledger path:models/marts/ledger",
    "windows": "path:models/intermediate/windows path:models/marts/windows",
}
DBT = Path(sys.executable).parent / "dbt"


def _dbt(command: str, select: str, exclude: str, warehouse: Path, memory_limit: str,
         target: Path) -> tuple[float, int]:
    """Run one dbt command; (seconds, peak memory of the dbt process in MB)."""
    args = [str(DBT), command, "--profiles-dir", ".", "--project-dir", ".",
            "--target-path", str(target / "target"), "--log-path", str(target / "logs"),
            "--vars", json.dumps({"as_of": END_DATE.isoformat()})]
    args += ["--select", *select.split()] if select else []
    args += ["--exclude", *exclude.split()] if exclude else []
    env = {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse),
           "FLEXWH_DATA_DIR": str(warehouse.parent), "FLEXWH_MEMORY_LIMIT": memory_limit,
           "FLEXWH_HASH_KEY": "bench-hash-key-0123456789"}
    started = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT / "dbt_project", env=env, capture_output=True,
                            text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dbt {command} failed:\n{result.stdout[-3000:]}")
    return seconds, round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("layer", choices=sorted(LAYERS))
    parser.add_argument("--preset", default="bench-10m")
    parser.add_argument("--memory-limit", default="4GB")
    args = parser.parse_args()
    source = prepared(args.preset, args.layer, args.memory_limit)
    run = source.parent / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    shutil.copy(source, run / "warehouse.duckdb")
    print(f"dbt run --select {LAYERS[args.layer]} ...", flush=True)
    seconds, peak = _dbt("run", LAYERS[args.layer], "", run / "warehouse.duckdb",
                         args.memory_limit, run / "dbt")
    shutil.rmtree(run, ignore_errors=True)
    body = f"""## dbt layer `{args.layer}` (`python -m bench.bench_models {args.layer}`)

{args.preset}, as of {END_DATE}; FLEXWH_MEMORY_LIMIT={args.memory_limit}; {machine()}.
`dbt run --select {LAYERS[args.layer]}`: **{seconds:.1f} s** wall time (dbt's own start-up
of about 4–5 s included), peak memory of the dbt process **{peak:,} MB**.
"""
    write_section(f"models-{args.layer}", body)
    print(body)


if __name__ == "__main__":
    main()
