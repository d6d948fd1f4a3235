"""Shared by the benchmarks: generated feeds kept between runs, a measured child process,
and the section of docs/benchmarks.md each benchmark rewrites."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATA = ROOT / "data" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
END_DATE = date(2026, 11, 27)  # fixed, so figures compare across days
SEED = 42


def feeds(preset: str) -> Path:
    """The landing folder of `preset`, generated once and kept under data/bench/."""
    landing = BENCH_DATA / preset / "landing"
    marker = landing / ".complete"
    if not marker.exists():
        from sample_feeds import generate

        if landing.exists():
            import shutil

            shutil.rmtree(landing)
        print(f"generating {preset} feeds into {landing} ...", flush=True)
        generate(preset, seed=SEED, end_date=END_DATE, out=landing)
        marker.write_text(f"{preset} seed {SEED} end {END_DATE}\n")
    return landing


def run_child(module: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """Run `python -m module args` and return the JSON object it prints last.

    Each measured step runs in its own process, so its peak memory is its own."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> int:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between <!-- bench:name --> markers."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text}\n{block}\n"
    DOC.write_text(text, encoding="utf-8")
