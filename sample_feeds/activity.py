"""Candidate usage rows: which user opens which product on which day (vectorised).

These are the launches users attempt; the burn-down simulation then blocks the ones a
team's balance cannot cover, as Autodesk does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .catalog import PRODUCTS
from .dates import month_index, season_factor
from .population import Population

RATES = np.array([p.rate for p in PRODUCTS], dtype=np.int64)
CHUNK_DAYS = 32  # days sampled at once: bounds memory to CHUNK_DAYS x pairs floats


@dataclass
class Candidates:
    day: np.ndarray  # int32, ascending
    pair: np.ndarray  # int32, ascending within a day (so team-ordered within a day)
    team: np.ndarray
    tokens: np.ndarray  # int64
    demand: np.ndarray  # (teams, days) tokens asked for per team per day
    offsets: np.ndarray  # rows of (day d, team t) are offsets[k] .. offsets[k+1], k=d*T+t

    def rows_of(self, day: int, team: int, n_teams: int) -> slice:
        k = day * n_teams + team
        return slice(int(self.offsets[k]), int(self.offsets[k + 1]))


def day_team_factor(days: list[date], n_teams: int, rng: np.random.Generator) -> np.ndarray:
    """(days, teams) activity: season times a per-team, per-month project workload."""
    months = month_index(days)
    workload = rng.lognormal(0.0, 0.25, (int(months[-1]) + 2, n_teams))
    workload = (0.5 * (workload[:-1] + workload[1:])).astype(np.float32)  # smooth months
    return season_factor(days)[:, None] * workload[months]


def expected_rows(pop: Population, factor: np.ndarray) -> float:
    """Expected number of candidate rows, to size the bench presets before sampling."""
    cumulative = np.vstack([np.zeros((1, factor.shape[1])), np.cumsum(factor, axis=0)])
    join, leave = pop.user_join[pop.pair_user], pop.user_leave[pop.pair_user]
    alive = cumulative[leave, pop.pair_team] - cumulative[np.minimum(join, leave), pop.pair_team]
    return float(np.sum(pop.pair_p * alive))


def sample(pop: Population, factor: np.ndarray, rng: np.random.Generator) -> Candidates:
    n_days, n_teams = factor.shape
    join, leave = pop.user_join[pop.pair_user], pop.user_leave[pop.pair_user]
    days_out, pairs_out = [], []
    for d0 in range(0, n_days, CHUNK_DAYS):
        d1 = min(n_days, d0 + CHUNK_DAYS)
        days = np.arange(d0, d1, dtype=np.int32)[:, None]
        chance = factor[d0:d1][:, pop.pair_team] * pop.pair_p[None, :]
        hit = rng.random(chance.shape, dtype=np.float32) < chance
        hit &= (days >= join[None, :]) & (days < leave[None, :])
        d, p = np.nonzero(hit)
        days_out.append((d + d0).astype(np.int32))
        pairs_out.append(p.astype(np.int32))
    day, pair = np.concatenate(days_out), np.concatenate(pairs_out)
    team = pop.pair_team[pair]
    tokens = RATES[pop.pair_product[pair]]
    key = day.astype(np.int64) * n_teams + team
    demand = np.bincount(key, weights=tokens, minlength=n_days * n_teams)
    offsets = np.searchsorted(key, np.arange(n_days * n_teams + 1))
    return Candidates(day, pair, team, tokens,
                      demand.reshape(n_days, n_teams).T.astype(np.int64), offsets)


@dataclass
class UsageRows:
    """The launches Autodesk charged: one row per user x product x version x day."""

    day: np.ndarray
    pair: np.ndarray
    team: np.ndarray
    user: np.ndarray
    product: np.ndarray
    version: np.ndarray  # release year, 0 for unversioned products
    tokens: np.ndarray
    second: np.ndarray  # a second version opened the same day (charged 0)


def charged_rows(pop: Population, cand: Candidates, keep: np.ndarray, release: np.ndarray,
                 rng: np.random.Generator) -> UsageRows:
    """Rows kept by the burn-down, plus the 0-token rows of a second version.

    Autodesk charges a product once per 24 hours whatever the number of versions opened,
    so a user who opens 2025 and 2026 the same day gets a row with 0 tokens.
    """
    day, pair = cand.day[keep], cand.pair[keep]
    product = pop.pair_product[pair]
    versioned = np.array([p.versioned for p in PRODUCTS])[product]
    version = np.where(versioned, release[day] - pop.pair_lag[pair], 0).astype(np.int32)
    tokens = cand.tokens[keep]
    extra = np.flatnonzero(versioned & (rng.random(len(day)) < 0.015))
    second = np.zeros(len(day) + len(extra), dtype=bool)
    second[len(day):] = True
    day, pair = np.concatenate([day, day[extra]]), np.concatenate([pair, pair[extra]])
    return UsageRows(
        day=day, pair=pair, team=pop.pair_team[pair], user=pop.pair_user[pair],
        product=pop.pair_product[pair],
        version=np.concatenate([version, version[extra] - 1]),
        tokens=np.concatenate([tokens, np.zeros(len(extra), dtype=np.int64)]),
        second=second,
    )
