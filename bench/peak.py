"""Run a command; print its output, then a JSON line: wall seconds, exit code, and the
peak RSS of its largest process (the command or any process it waited for).

    python -m bench.peak COMMAND [ARG ...]

A process of its own per measurement, so no earlier run's peak is counted.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    started = time.perf_counter()
    result = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    print(result.stdout[-3000:] + result.stderr[-2000:])
    peak = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    print(json.dumps({"seconds": round(seconds, 1), "exit": result.returncode,
                      "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
