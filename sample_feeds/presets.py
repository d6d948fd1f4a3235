"""The sizes of the sample data sets: how many teams, users, months and events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TeamSpec:
    """A team fixed by hand (demo), so the demo always shows the same kinds of team."""

    discipline: str
    pii: bool
    channel: str  # "export": Autodesk Account exports; "aps": APS Insights API pulls
    users: int
    start_fraction: float = 0.0  # first purchase, as a fraction of the date range


@dataclass(frozen=True)
class Preset:
    name: str
    months: int
    teams: int
    users: int = 0  # total users; 0: sized to reach target_rows
    target_rows: int = 0
    fixed_teams: tuple[TeamSpec, ...] = ()
    # Usage files per team and month (exports) or, for bulk, per header style and day.
    files_per_team: bool = True
    aps_daily_days: int = 31  # APS pulls: one file per day for the last N days
    moves: int = 2
    merges: int = 1
    adjustments: int = 4
    xlsx_usage: bool = True  # one usage month exported as XLSX with a parameters sheet


_DEMO_TEAMS = (
    TeamSpec("architecture", True, "export", 58),
    TeamSpec("infrastructure", False, "export", 44),
    TeamSpec("manufacturing", True, "aps", 30, start_fraction=0.1),
    TeamSpec("structural", False, "export", 18),
)

PRESET_CONFIGS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("demo", months=18, teams=4, fixed_teams=_DEMO_TEAMS),
        Preset("enterprise", months=24, teams=40, users=5000, moves=6, merges=2,
               adjustments=10),
        Preset("bench-1m", months=24, teams=40, target_rows=1_000_000,
               files_per_team=False, moves=4, adjustments=8, xlsx_usage=False),
        Preset("bench-10m", months=24, teams=250, target_rows=10_000_000,
               files_per_team=False, moves=10, merges=2, adjustments=20, xlsx_usage=False),
    )
}
PRESETS: tuple[str, ...] = tuple(PRESET_CONFIGS)


def get_preset(name: str) -> Preset:
    try:
        return PRESET_CONFIGS[name]
    except KeyError:
        raise ValueError(
            f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}"
        ) from None
