"""Calendar rules: month arithmetic, the weekly rhythm of use, releases, export eras."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np

# Autodesk renamed the Token usage export columns at the start of 2026 (feeds.md).
HEADER_RENAME = date(2026, 1, 1)

# Relative use by weekday, Monday first: Flex users work office hours, rarely weekends.
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 0.95, 0.8, 0.06, 0.04], dtype=np.float32)


def add_months(day: date, months: int) -> date:
    """Month arithmetic that clamps to the end of the month (metrics.md, feeds.md)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pack_end(start: date) -> date:
    """A token pack is valid start .. start + 12 months - 1 day."""
    return add_months(start, 12) - timedelta(days=1)


def history_start(end: date, months: int) -> date:
    return add_months(end, -months) + timedelta(days=1)


def day_list(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def season_factor(days: list[date]) -> np.ndarray:
    """Weekday rhythm times the year-end break and the August holiday dip."""
    factor = WEEKDAY_FACTOR[[d.weekday() for d in days]].copy()
    for i, d in enumerate(days):
        if (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day == 1):
            factor[i] *= 0.2
        elif d.month == 8:
            factor[i] *= 0.75
    return factor


def latest_release(days: list[date]) -> np.ndarray:
    """Autodesk ships version Y+1 of its desktop products each spring of year Y."""
    return np.array([d.year + 1 if d.month >= 4 else d.year for d in days], dtype=np.int32)


def rename_day(days: list[date]) -> int:
    """Index of the first day exported with 2026 headers.

    Outside 2026 ranges the rename is placed at the first month start after the middle of
    the range, so every preset and end date shows both the old and the new header style.
    """
    if days[0] < HEADER_RENAME <= days[-1]:
        return (HEADER_RENAME - days[0]).days
    middle = days[len(days) // 2]
    first = add_months(middle.replace(day=1), 1)
    return min((first - days[0]).days, len(days) - 1)


def month_index(days: list[date]) -> np.ndarray:
    """Calendar-month number of each day, 0 for the first month of the range."""
    first = days[0]
    return np.array(
        [(d.year - first.year) * 12 + d.month - first.month for d in days], dtype=np.int32
    )
