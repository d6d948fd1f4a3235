"""Teams and their users: who uses which products, how often, from when to when."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .catalog import DISCIPLINES, PRODUCT_INDEX
from .names import CITIES, DEPARTMENTS, FIRST_NAMES, LAST_NAMES, TEAM_WORDS, ascii_slug
from .presets import Preset, TeamSpec

# Flex is bought for occasional users: most open a product a few days a month.
USER_KINDS = np.array([0.8, 0.4, 0.1], dtype=np.float32)  # daily, regular, occasional
KIND_SHARES = (0.10, 0.25, 0.65)
# A second and third product are used far less than the main one.
PRODUCT_WEIGHT = np.array([1.0, 0.3, 0.15], dtype=np.float32)
ID_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))


@dataclass
class Team:
    name: str
    slug: str
    discipline: str
    pii: bool
    channel: str
    start: int  # day index of the first purchase and first use
    domain: str


@dataclass
class Population:
    teams: list[Team]
    user_team: np.ndarray
    user_join: np.ndarray  # first day index of use
    user_leave: np.ndarray  # first day index without use
    pair_user: np.ndarray  # one pair per (user, product) the user works with
    pair_team: np.ndarray
    pair_product: np.ndarray
    pair_p: np.ndarray  # chance of use on a full working day
    pair_lag: np.ndarray  # versions behind the latest release
    # Identities, filled by name_users once the size is final.
    autodesk_id: list[str] | None = None
    hashed_id: list[str] | None = None
    email: list[str] | None = None
    first_name: list[str] | None = None
    last_name: list[str] | None = None
    role: list[str] | None = None

    @property
    def n_users(self) -> int:
        return len(self.user_team)


def make_teams(preset: Preset, rng: np.random.Generator) -> list[TeamSpec]:
    """Team specs: the fixed demo teams, or drawn ones for the larger presets."""
    if preset.fixed_teams:
        return list(preset.fixed_teams)
    disciplines = list(DISCIPLINES)
    sizes = rng.lognormal(0.0, 0.6, preset.teams)
    total = preset.users or preset.teams * 100
    sizes = np.maximum(3, np.round(sizes / sizes.sum() * total)).astype(int)
    late = rng.random(preset.teams) < 0.3
    return [
        TeamSpec(
            discipline=disciplines[int(rng.integers(len(disciplines)))],
            pii=bool(rng.random() < 0.5),
            channel="aps" if rng.random() < 0.25 else "export",
            users=int(sizes[i]),
            start_fraction=float(rng.uniform(0, 0.4)) if late[i] else 0.0,
        )
        for i in range(preset.teams)
    ]


def name_teams(specs: list[TeamSpec], n_days: int, short: bool, rng) -> list[Team]:
    """Unique team names: company word + department (+ city for the larger presets)."""
    combos = [(w, c) for c in CITIES for w in TEAM_WORDS]
    order = np.arange(len(specs)) if short else rng.permutation(len(combos))[: len(specs)]
    teams = []
    for spec, k in zip(specs, order, strict=True):
        word, city = combos[int(k)]
        dept = DEPARTMENTS[spec.discipline][int(k) // len(TEAM_WORDS) % 3]
        name = f"{word} {dept}" if short else f"{word} {dept} {city}"
        teams.append(Team(name, ascii_slug(name), spec.discipline, spec.pii, spec.channel,
                          int(spec.start_fraction * n_days), ascii_slug(word, "") + ".example"))
    return teams


def build_users(teams: list[Team], sizes: list[int], n_days: int, rng) -> Population:
    """Users with their products, activity, join and leave days (vectorised)."""
    user_team = np.repeat(np.arange(len(teams), dtype=np.int32), sizes)
    n = len(user_team)
    start = np.array([t.start for t in teams], dtype=np.int32)[user_team]
    joins_late = rng.random(n) < 0.3
    join = np.where(joins_late, start + rng.random(n) * np.maximum(n_days - 30 - start, 1),
                    start).astype(np.int32)
    leaves = rng.random(n) < 0.12
    leave_at = join + 30 + rng.random(n) * np.maximum(n_days - join - 30, 0)
    leave = np.where(leaves, leave_at, n_days).astype(np.int32)
    kind_p = USER_KINDS[rng.choice(3, n, p=KIND_SHARES)] * rng.uniform(0.8, 1.2, n)
    lag = rng.choice(3, n, p=(0.55, 0.35, 0.10)).astype(np.int32)
    # Weighted sampling without replacement (Gumbel top-k): up to 3 products per user.
    weights = np.zeros((len(teams), len(PRODUCT_INDEX)))
    for i, team in enumerate(teams):
        for product, share in DISCIPLINES[team.discipline].items():
            weights[i, PRODUCT_INDEX[product]] = share
    with np.errstate(divide="ignore"):
        keys = np.log(weights[user_team]) + rng.gumbel(size=(n, len(PRODUCT_INDEX)))
    top = np.argsort(-keys, axis=1)[:, :3].astype(np.int32)
    extra = rng.random((n, 2))
    count = 1 + (extra[:, 0] < 0.45) + ((extra[:, 0] < 0.45) & (extra[:, 1] < 0.25))
    has = np.arange(3)[None, :] < count[:, None]
    pair_user = np.nonzero(has)[0].astype(np.int32)
    rank = np.nonzero(has)[1]
    return Population(
        teams=teams, user_team=user_team, user_join=join, user_leave=leave,
        pair_user=pair_user, pair_team=user_team[pair_user],
        pair_product=top[has], pair_p=(kind_p[pair_user] * PRODUCT_WEIGHT[rank]).astype(
            np.float32), pair_lag=lag[pair_user],
    )


def name_users(pop: Population, rng: np.random.Generator) -> None:
    """Names, e-mail addresses, Autodesk IDs and the hashed IDs Autodesk shows instead."""
    n = pop.n_users
    firsts = rng.integers(len(FIRST_NAMES), size=n)
    lasts = rng.integers(len(LAST_NAMES), size=n)
    ids = ["".join(row) for row in ID_ALPHABET[rng.integers(len(ID_ALPHABET), size=(n, 12))]]
    taken: set[str] = set()
    pop.first_name, pop.last_name, pop.email, pop.role = [], [], [], []
    previous_team = -1
    for i in range(n):
        team = pop.teams[pop.user_team[i]]
        first, last = FIRST_NAMES[firsts[i]], LAST_NAMES[lasts[i]]
        local = f"{ascii_slug(first, '')}.{ascii_slug(last, '')}"
        email, k = f"{local}@{team.domain}", 1
        while email in taken:
            k += 1
            email = f"{local}{k}@{team.domain}"
        taken.add(email)
        pop.first_name.append(first)
        pop.last_name.append(last)
        pop.email.append(email)
        pop.role.append("Primary Admin" if pop.user_team[i] != previous_team else "User")
        previous_team = pop.user_team[i]
    pop.autodesk_id = ids
    pop.hashed_id = [hashlib.sha256(f"adsk:{i}".encode()).hexdigest()[:32] for i in ids]


def reassign_emails(pop: Population, n_days: int) -> None:
    """In every other team, a newcomer gets the e-mail address of someone who left before
    they joined (a reused mailbox): one e-mail of two Autodesk IDs, which the warehouse
    cannot resolve (feeds.md, "User identity") and reports."""
    for t in range(0, len(pop.teams), 2):
        members = np.flatnonzero(pop.user_team == t)
        leavers = [i for i in members if pop.user_leave[i] < n_days]
        for leaver in leavers:
            joiner = next((j for j in members if pop.user_join[j] > pop.user_leave[leaver]),
                          None)
            if joiner is not None:
                pop.email[joiner] = pop.email[leaver]
                break
