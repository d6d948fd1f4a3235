"""`generate`: teams and users, candidate launches, burn-down, then the feed files."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from . import activity, company_feeds, dirty_usage, other_feeds
from .burndown import BurnDown
from .dates import day_list, history_start, latest_release, rename_day
from .dirty import Tally, bad_files, company_bad_rows
from .ledger import Ledger, schedule
from .population import (
    Population,
    build_users,
    make_teams,
    name_teams,
    name_users,
    reassign_emails,
)
from .presets import Preset, get_preset
from .usage_files import mark_xlsx, plan_files
from .usage_write import UsageWriter
from .writers import write_file

# The five Autodesk feeds, then the optional company feeds of insights.md.
FEEDS = ("subscriptions", "users", "usage", "token_events", "team_settings", "cost_centers",
         "prices")


@dataclass(frozen=True)
class GenerateSummary:
    preset: str
    seed: int
    out: Path
    start_date: date
    end_date: date
    teams: int
    users: int
    files: dict[str, int]  # files written per feed (bad files of --dirty included)
    rows: dict[str, int]  # valid data rows per feed (bad rows are in the tally)
    dirty_tally: dict | None = field(default=None)

    def summary(self) -> str:
        dirty = ""
        if self.dirty_tally:
            bad = sum(self.dirty_tally["rejected_rows"].values())
            dirty = f", dirty: {bad} bad rows (see dirty_tally.json)"
        return (f"{self.preset} (seed {self.seed}): {self.teams} teams, {self.users} users, "
                f"{self.start_date}..{self.end_date}, {self.rows['usage']:,} usage rows in "
                f"{sum(self.files.values())} files{dirty} -> {self.out}")


def _stream(seed: int, purpose: str) -> np.random.Generator:
    """One independent generator per purpose: changing one step never shifts another."""
    return np.random.default_rng([seed % 2**63, zlib.crc32(purpose.encode())])


def _check_empty(out: Path) -> None:
    """Mixing two generated data sets would corrupt both, so only an empty landing is used."""
    for feed in FEEDS:
        folder = out / feed
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
            raise ValueError(f"landing folder {out} already holds {feed} files: "
                             "generate into an empty folder")


def run(preset_name: str, seed: int, end: date, dirty: bool, out: Path,
        progress: Callable[[str], None]) -> GenerateSummary:
    preset = get_preset(preset_name)
    _check_empty(out)
    days = day_list(history_start(end, preset.months), end)
    pop, rows, ledger = _simulate(preset, seed, days, progress)
    stamp = datetime.combine(end + timedelta(days=1), time(6, 0))  # the export's time
    rename = rename_day(days)
    files = plan_files(rows, pop, days, rename, preset.files_per_team, preset.aps_daily_days)
    if preset.xlsx_usage:
        mark_xlsx(files, pop)
    tally = Tally() if dirty else None
    corruptors: dict = {}
    if tally is not None:
        corruptors, reasons = dirty_usage.plan(files, _stream(seed, "dirty"))
        tally.rows("usage", reasons)
    writer = UsageWriter(rows, pop, days)
    copy: tuple[str, bytes] | None = None  # a clean usage file, for the duplicate copy
    for i, file in enumerate(files):
        data = writer.write(out, file, stamp, corruptors.get(i))
        if copy is None and i not in corruptors and not file.xlsx:
            copy = (file.path, data)
        if i % 500 == 499:
            progress(f"usage files: {i + 1}/{len(files)}")

    subs = other_feeds.subscriptions(pop, ledger, days, stamp, _stream(seed, "subs"))
    users = other_feeds.users(pop, days)
    events = other_feeds.token_events(pop, ledger, days)
    settings = other_feeds.team_settings(pop)
    centers = company_feeds.cost_centers(pop, rows, days, rename, _stream(seed, "cost centers"))
    prices = company_feeds.prices(pop, rows, days, _stream(seed, "prices"))
    small = [subs, *users, events, settings, centers, prices]
    paths = [f.path for f in files] + [f.path for f in small]
    for feed_file in small:
        write_file(out / feed_file.path, feed_file.data)
    if tally is not None:
        extra = bad_files(tally, writer, files, copy[1], copy[0], users[0], subs, events,
                          settings) + company_bad_rows(tally, centers, prices)
        for path, data in extra:
            write_file(out / path, data)
            paths.append(path)
        write_file(out / "dirty_tally.json", tally.to_json())
    counts = {feed: sum(p.startswith(feed + "/") for p in paths) for feed in FEEDS}
    row_counts = {"subscriptions": len(subs.rows), "users": sum(len(u.rows) for u in users),
                  "usage": len(rows.day), "token_events": len(events.rows),
                  "team_settings": len(settings.rows), "cost_centers": len(centers.rows),
                  "prices": len(prices.rows)}
    summary = GenerateSummary(
        preset_name, seed, out, days[0], end, len(pop.teams), pop.n_users, counts,
        row_counts, None if tally is None else json.loads(tally.to_json()))
    progress(summary.summary())
    return summary


def _simulate(preset: Preset, seed: int, days: list[date], progress: Callable[[str], None]
              ) -> tuple[Population, activity.UsageRows, Ledger]:
    """Teams and users, the launches they attempt, and the burn-down that charges them."""
    n_days = len(days)
    specs = make_teams(preset, _stream(seed, "teams"))
    teams = name_teams(specs, n_days, bool(preset.fixed_teams), _stream(seed, "team names"))
    factor = activity.day_team_factor(days, len(teams), _stream(seed, "workload"))
    sizes = [s.users for s in specs]
    pop = build_users(teams, sizes, n_days, _stream(seed, "users"))
    if preset.target_rows:  # bench: scale the team sizes to the wanted number of rows
        scale = preset.target_rows / activity.expected_rows(pop, factor)
        sizes = [max(3, round(s * scale)) for s in sizes]
        pop = build_users(teams, sizes, n_days, _stream(seed, "users"))
    name_users(pop, _stream(seed, "user names"))
    reassign_emails(pop, n_days)
    progress(f"{len(teams)} teams, {pop.n_users} users, {days[0]}..{days[-1]}")
    cand = activity.sample(pop, factor, _stream(seed, "launches"))
    progress(f"{len(cand.day):,} launches attempted; simulating the burn-down day by day")
    starts = [t.start for t in teams]
    sim = BurnDown(days, starts, cand, _stream(seed, "burn-down"))
    ledger = sim.run(schedule(preset, starts, n_days, _stream(seed, "events")))
    # A renewal already ordered by the first team: an upcoming pack (metrics.md).
    sim.new_pack(0, n_days + 14, sim.forecast[0] * 180)
    rows = activity.charged_rows(pop, cand, sim.keep, latest_release(days),
                                 _stream(seed, "versions"))
    progress(f"{len(rows.day):,} usage rows charged, {len(ledger.packs)} packs, "
             f"{len(ledger.events)} token events, {ledger.blocked_days} team-days with blocked "
             f"launches, {ledger.expired_with_tokens} packs expired holding tokens")
    return pop, rows, ledger
