"""Time `flexwh generate` per preset: rows, files, seconds, MB written, peak memory.

    .venv/bin/python bench/bench_generate.py [PRESET ...] [--seed N] [--keep DIR]

Each preset runs in a fresh subprocess, so the peak memory reported is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from bench.common import END_DATE as END  # noqa: E402  (fixed, so figures compare)
from bench.common import machine, write_section  # noqa: E402


def measure(preset: str, seed: int, out: Path) -> dict:
    from sample_feeds import generate

    started = time.perf_counter()
    summary = generate(preset, seed=seed, end_date=END, out=out)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"preset": preset, "usage_rows": summary.rows["usage"],
            "files": sum(summary.files.values()), "seconds": round(seconds, 1),
            "mb": round(size / 1e6, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=["bench-1m", "bench-10m"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="write here and keep the files")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one preset, in this process; prints its figures as JSON
        print(json.dumps(measure(args.presets[0], args.seed, args.keep)))
        return
    print(f"{'preset':<12}{'usage rows':>12}{'files':>8}{'seconds':>9}{'MB':>9}{'peak MB':>9}")
    table = []
    for preset in args.presets:
        base = args.keep or Path(tempfile.mkdtemp(prefix="flexwh-bench-"))
        out = base / preset
        try:
            child = subprocess.run(
                [sys.executable, __file__, preset, "--child", "--seed", str(args.seed),
                 "--keep", str(out)], check=True, capture_output=True, text=True)
            r = json.loads(child.stdout.strip().splitlines()[-1])
        finally:
            if args.keep is None:
                shutil.rmtree(base, ignore_errors=True)
        print(f"{r['preset']:<12}{r['usage_rows']:>12,}{r['files']:>8}{r['seconds']:>9}"
              f"{r['mb']:>9}{r['peak_rss_mb']:>9}", flush=True)
        table.append(f"| {r['preset']} | {r['usage_rows']:,} | {r['files']:,} | {r['seconds']} s "
                     f"| {r['mb']:,} MB | {r['peak_rss_mb']:,} MB |")
    command = f"python bench/bench_generate.py {' '.join(args.presets)}"
    write_section("generate", f"""## Sample feeds (`{command}`)

Seed {args.seed}, end date {END}; {machine()}. Goal: bench-10m in under 3 minutes.

| preset | usage rows | files | wall time | written | peak memory |
|---|---|---|---|---|---|
""" + "\n".join(table))


if __name__ == "__main__":
    main()
