"""The optional company feeds of insights.md ("Chargeback"): each user's cost centre and the
prices of the token and of named subscriptions, as a finance or HR system exports them
(plain UTF-8 CSV, like token_events and team_settings).

Both are drawn from the same population and usage as the Autodesk feeds: a cost centre row
names a user the way the team's usage shows them, so the warehouse can match it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from .activity import UsageRows
from .catalog import COST_CENTERS, PRODUCTS, YEARLY_PRICES
from .other_feeds import FeedFile
from .population import Population
from .writers import csv_bytes

COST_CENTERS_HEADER = ("team", "user", "cost_center", "valid_from")
PRICES_HEADER = ("item", "team", "valid_from", "price", "currency")
COST_CENTERS_PATH = "cost_centers/cost_centers.csv"
PRICES_PATH = "prices/prices.csv"

UNMAPPED_SHARE = 0.05  # users with usage and no cost centre row: their use is unassigned
EMAIL_SHARE = 0.2  # personal-data teams: users the HR export names by e-mail address
MIXED_CASE_SHARE = 0.5  # of those e-mails, written as HR keeps them: Anna.Smith@Example.com
CHANGE_SHARE = 0.10  # users who move to another cost centre in the middle of a month
MIN_CENTERS, MAX_CENTERS = 3, 6  # cost centres per team, more for larger teams

TOKEN_PRICE, TOKEN_PRICE_LATER = Decimal("3"), Decimal("3.25")  # the mid-period increase
TEAMS_PER_OWN_PRICE = 20  # one team in 20 (at least one) negotiated its own token price
CURRENCY = "USD"
PRICE_STEP = Decimal("0.000001")  # prices have 6 decimals (DECIMAL(18,6))


def cost_centers(pop: Population, rows: UsageRows, days: list[date], rename: int,
                 rng: np.random.Generator) -> FeedFile:
    """One row per user with usage (valid_from empty: from the beginning), a second row
    from a mid-month day for CHANGE_SHARE of them, and no row for UNMAPPED_SHARE.

    `user` is what the team's usage shows of the person: personal-data teams the Autodesk
    ID (in the usage of APS teams and of exports before the 2026 rename) or, for some, the
    e-mail address; teams with personal data off show only the hashed Autodesk ID, which
    is what their cost centre rows carry (insights.md matches it after the Autodesk ID).
    """
    n, n_days, teams = pop.n_users, len(days), pop.teams
    used = np.zeros(n, dtype=bool)
    used[rows.user] = True
    id_shown = np.zeros(n, dtype=bool)
    id_shown[rows.user[rows.day < rename]] = True
    id_shown |= np.array([t.channel == "aps" for t in teams])[pop.user_team]
    sizes = np.bincount(pop.user_team, minlength=len(teams))
    centers = []
    for t, team in enumerate(teams):
        options = COST_CENTERS[team.discipline]
        k = int(np.clip(round(float(np.sqrt(sizes[t])) / 2), MIN_CENTERS,
                        min(MAX_CENTERS, len(options))))
        centers.append([options[j] for j in sorted(rng.choice(len(options), k, replace=False))])
    n_centers = np.array([len(c) for c in centers])[pop.user_team]
    # Fixed draws per user (whether used or not), so that one user's choices never shift
    # another's: unmapped, e-mail, mixed case, change, centre, new centre, change day.
    draw = rng.random((n, 7))
    day_of_month = rng.integers(8, 23, n)
    # The centre: the team's k-th with a weight 1/k (a main centre, then smaller ones).
    weights = np.cumsum(1.0 / np.arange(1, MAX_CENTERS + 1))
    share = weights[n_centers - 1]
    first_center = np.minimum(np.searchsorted(weights, draw[:, 4] * share, side="right"),
                              n_centers - 1)
    moved_center = (first_center + 1 + (draw[:, 5] * (n_centers - 1)).astype(int)) % n_centers
    shared = Counter(pop.email)  # a reused mailbox names two people: HR never uses it
    chosen = used & (draw[:, 0] >= UNMAPPED_SHARE)
    out: list[list] = []
    for i in np.flatnonzero(chosen).tolist():
        team = teams[pop.user_team[i]]
        email = pop.email[i]
        if not team.pii:
            user = pop.hashed_id[i]
        elif shared[email] == 1 and (draw[i, 1] < EMAIL_SHARE or not id_shown[i]):
            user = _mixed_case(email) if draw[i, 2] < MIXED_CASE_SHARE else email
        elif id_shown[i]:
            user = pop.autodesk_id[i]
        else:  # their usage shows only a reused e-mail address: no row can name them
            continue
        options = centers[pop.user_team[i]]
        out.append([team.name, user, options[first_center[i]], None])
        if draw[i, 3] < CHANGE_SHARE and n_days > 60:
            out.append([team.name, user, options[moved_center[i]],
                        _change_day(days, int(pop.user_join[i]), int(pop.user_leave[i]),
                                    float(draw[i, 6]), int(day_of_month[i]))])
    return FeedFile(COST_CENTERS_PATH, csv_bytes(COST_CENTERS_HEADER, out),
                    COST_CENTERS_HEADER, out)


def _change_day(days: list[date], join: int, leave: int, where: float, day: int) -> date:
    """A day in the middle of a month while the user works (never the 1st), else anywhere
    in the period but its first and last two weeks."""
    n_days = len(days)
    lo, hi = join + 14, min(leave, n_days) - 14
    if hi <= lo:
        lo, hi = 14, n_days - 14
    near = days[lo + int(where * (hi - lo))]
    change = near.replace(day=day)
    if not days[0] < change <= days[-1]:
        change = near if near.day != 1 else near + timedelta(days=1)
    return change


def _mixed_case(email: str) -> str:
    """anna.smith@example.com as an HR system may hold it: Anna.Smith@Example.com."""
    local, _, domain = email.partition("@")
    local = ".".join(part[:1].upper() + part[1:] for part in local.split("."))
    return f"{local}@{domain[:1].upper()}{domain[1:]}"


def prices(pop: Population, rows: UsageRows, days: list[date],
           rng: np.random.Generator) -> FeedFile:
    """The token price for every team (`*`) from the first day, raised in the middle of the
    period (on the 15th); the own, lower token price of one team in TEAMS_PER_OWN_PRICE; the
    yearly price of a named subscription of the products used, but for at least one used
    product (its Flex fit is `unknown`)."""
    first, teams = days[0], pop.teams
    middle = days[len(days) // 2]
    change = middle.replace(day=15)
    if not first < change <= days[-1]:
        change = middle if middle.day != 1 else middle + timedelta(days=1)
    out: list[list] = [["token", "*", first, _price(TOKEN_PRICE), CURRENCY],
                       ["token", "*", change, _price(TOKEN_PRICE_LATER), CURRENCY]]
    own = max(1, len(teams) // TEAMS_PER_OWN_PRICE)
    chosen = sorted(int(t) for t in rng.choice(len(teams), own, replace=False))
    discounts = rng.integers(6, 21, own)  # 3 % to 10 %, in steps of half a per cent
    for t, discount in zip(chosen, discounts, strict=True):
        price = TOKEN_PRICE * (1 - Decimal(int(discount)) / 200)
        out.append(["token", teams[t].name, first, _price(price), CURRENCY])
    counts = np.bincount(rows.product, minlength=len(PRODUCTS))
    used = [int(p) for p in np.flatnonzero(counts)]
    priced = [p for p in used if YEARLY_PRICES.get(PRODUCTS[p].name) is not None]
    if priced and len(priced) == len(used):  # keep one used product unpriced: the least used
        priced.remove(min(priced, key=lambda p: (counts[p], p)))
    for p in sorted(priced, key=lambda p: PRODUCTS[p].name):
        out.append([PRODUCTS[p].name, "*", first,
                    _price(Decimal(YEARLY_PRICES[PRODUCTS[p].name])), CURRENCY])
    return FeedFile(PRICES_PATH, csv_bytes(PRICES_HEADER, out), PRICES_HEADER, out)


def _price(value: Decimal) -> str:
    return f"{value.quantize(PRICE_STEP):.6f}"
