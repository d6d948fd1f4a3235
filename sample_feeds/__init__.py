"""Sample feeds in the Autodesk formats (feeds.md), realistic and reproducible by seed.

`generate` writes a landing folder: usage in three header styles, subscriptions (XLSX with
a parameters sheet), users, token events and team settings, with a burn-down simulated
while generating so that no team ever uses more tokens than it holds; and the optional
company feeds of insights.md, cost centres and prices (company_feeds.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from core.settings import Settings, yesterday_utc

from .presets import PRESETS
from .run import GenerateSummary, run

__all__ = ["PRESETS", "GenerateSummary", "generate"]


def generate(preset: str = "demo", seed: int = 42, end_date: date | None = None,
             dirty: bool = False, out: Path | None = None,
             progress: Callable[[str], None] = lambda message: None) -> GenerateSummary:
    """Write the sample feeds of `preset` into `out` (default: the configured landing).

    end_date is the last day with usage (default: yesterday in UTC). Raises ValueError for
    an unknown preset or a landing folder that already holds feed files.
    """
    target = Path(out) if out is not None else Settings.from_env().landing_dir
    return run(preset, seed, end_date or yesterday_utc(), dirty, target, progress)
