"""Time the scheduled exports (every team) and the serving database on a built warehouse.

    .venv/bin/python -m bench.bench_exports [--preset enterprise]

The preset's feeds are run once through `flexwh run` into data/bench/<preset>/data (kept);
each measurement then publishes into a fresh folder in a child process (wall time, peak
memory of that process) and writes the `exports-<preset>` section of docs/benchmarks.md.
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

from bench.common import (
    BENCH_DATA,
    END_DATE,
    ROOT,
    feeds,
    machine,
    peak_rss_mb,
    run_child,
    write_section,
)

HASH_KEY = "bench-hash-key-0123456789"


def environment(data: Path, landing: Path) -> dict[str, str]:
    return {"FLEXWH_DATA_DIR": str(data), "FLEXWH_LANDING_DIR": str(landing),
            "FLEXWH_AS_OF": END_DATE.isoformat(), "FLEXWH_HASH_KEY": HASH_KEY}


def built(preset: str) -> tuple[Path, float]:
    """The preset's data folder after one `flexwh run`, and how long that run took."""
    data = BENCH_DATA / preset / "data"
    marker = data / ".complete"
    if not marker.exists():
        shutil.rmtree(data, ignore_errors=True)
        env = {**os.environ, **environment(data, feeds(preset))}
        print(f"flexwh run on {preset} into {data} ...", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "flexwh.cli", "run"], cwd=ROOT,
                                env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if result.returncode not in (0, 3):
            raise SystemExit(f"flexwh run failed:\n{result.stdout[-3000:]}{result.stderr}")
        marker.write_text(json.dumps({"seconds": seconds}))
    return data, json.loads(marker.read_text())["seconds"]


def measure(data: str, target: str) -> None:
    """Child process: publish exports and the serving database into `target`."""
    import duckdb

    from core.settings import Settings
    from exports.scheduled import publish_scheduled_exports
    from exports.serving import publish_serving

    settings = Settings.from_env()
    out = Path(target)
    started = time.perf_counter()
    serving = publish_serving(settings.warehouse, out / "serving",
                              duckdb_config=settings.duckdb_config(), run_id="bench",
                              as_of=settings.as_of)
    serving_seconds = time.perf_counter() - started
    started = time.perf_counter()
    # Exports read the serving database, as the publish step has them do.
    with duckdb.connect(str(serving.database), read_only=True,
                        config=settings.duckdb_config()) as con:
        published = publish_scheduled_exports(con, out / "exports", 14)
        usage_rows = con.execute("select count(*) from main.fct_daily_usage where "
                                 "day_used >= (select start_date from main.dim_report_window "
                                 "where window_key = 'last_12_months')").fetchall()[0][0]
    export_seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in (out / "exports").rglob("*") if path.is_file())
    print(json.dumps({
        "export_seconds": export_seconds, "serving_seconds": serving_seconds,
        "teams": len(published.folders), "usage_rows": usage_rows, "export_bytes": size,
        "serving_rows": sum(serving.tables.values()), "peak_mb": peak_rss_mb(),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="enterprise")
    parser.add_argument("--child", nargs=2, metavar=("DATA", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(*args.child)
        return
    data, run_seconds = built(args.preset)
    target = BENCH_DATA / args.preset / "publish"
    shutil.rmtree(target, ignore_errors=True)
    result = run_child("bench.bench_exports", "--child", str(data), str(target),
                       env=environment(data, BENCH_DATA / args.preset / "landing"))
    shutil.rmtree(target, ignore_errors=True)
    command = f"python -m bench.bench_exports --preset {args.preset}"
    body = f"""## Exports and serving database (`{command}`)

{args.preset}, as of {END_DATE}; {machine()}. The `flexwh run` that built the cached
warehouse (ingest, checks, dbt build, publication) took {run_seconds:.1f} s.
- Scheduled exports of all **{result['teams']} teams** (subscriptions, users and usage CSV,
  the workbook with charts, manifest; {result['usage_rows']:,} usage rows in the
  last_12_months range and after, {result['export_bytes'] / 1e6:,.1f} MB written):
  **{result['export_seconds']:.1f} s**.
- Serving database and Parquet ({result['serving_rows']:,} mart rows):
  **{result['serving_seconds']:.1f} s**.
- Peak memory of the publishing process: {result['peak_mb']:,} MB.
"""
    write_section(f"exports-{args.preset}", body)
    print(body)


if __name__ == "__main__":
    main()
