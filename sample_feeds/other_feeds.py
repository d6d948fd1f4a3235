"""Subscriptions, users, token events and team settings, in their delivered layouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from .catalog import FLEX_OFFERING, RESELLERS, SEAT_OFFERINGS
from .dates import pack_end
from .ledger import Ledger
from .population import Population
from .writers import csv_bytes, xlsx_bytes

SUBSCRIPTION_HEADER = (
    "Subscription ID", "Team", "Offering", "Quantity", "Start date", "End date", "Status",
    "Term", "Contract number", "Autorenew date", "Reseller name", "Reseller email",
)
USERS_HEADER = ("First name", "Last name", "Email", "Autodesk ID", "Team", "Role", "Status",
                "Product")
EVENTS_HEADER = ("event_id", "event_date", "event_type", "subscription_id", "from_team",
                 "to_team", "tokens", "reason")
SETTINGS_HEADER = ("Team", "Personal data")
# Users who joined in these last days of the history are in a later Users export only.
LATE_USERS_DAYS = 150


@dataclass
class FeedFile:
    path: str  # relative to the landing folder
    data: bytes
    header: tuple[str, ...]
    rows: list[list]  # the data rows, as written


def subscriptions(pop: Population, ledger: Ledger, days: list[date], stamp: datetime,
                  rng: np.random.Generator) -> FeedFile:
    """One XLSX export of every subscription: Flex token packs and seat subscriptions."""
    last = days[-1]
    teams = pop.teams
    reseller = rng.integers(len(RESELLERS), size=len(teams))
    rows = []
    for pack in sorted(ledger.packs, key=lambda p: (p.start, p.sid)):
        start = days[0] + timedelta(days=pack.start)
        end = days[0] + timedelta(days=pack.end)
        name, email = RESELLERS[reseller[pack.buyer]]
        rows.append([pack.sid, teams[pack.buyer].name, FLEX_OFFERING, pack.qty, start, end,
                     "Expired" if end < last else "Active", "Annual", pack.contract, None,
                     name or None, email or None])
    for t, team in enumerate(teams):  # seats renew yearly: they hold no tokens
        for k in range(int(rng.integers(0, 3))):
            start = days[0] + timedelta(days=team.start - int(rng.integers(0, 200)))
            end = pack_end(start)
            name, email = RESELLERS[reseller[t]]
            rows.append([f"{5 * 10**11 + t * 100 + k}", team.name,
                         SEAT_OFFERINGS[int(rng.integers(len(SEAT_OFFERINGS)))],
                         int(rng.integers(1, 11)), start, end,
                         "Expired" if end < last else "Active", "Annual",
                         f"1100{int(rng.integers(10**7, 10**8))}", end + timedelta(days=1),
                         name or None, email or None])
    parameters = [["Report:", "Subscriptions"], ["Team:", "All teams"],
                  ["Status:", "All"], ["Exported:", stamp.strftime("%Y-%m-%d %H:%M UTC")]]
    data = xlsx_bytes([("Parameters", parameters),
                       ("Subscriptions", [list(SUBSCRIPTION_HEADER), *rows])], stamp)
    return FeedFile(f"subscriptions/Subscriptions_{last.isoformat()}.xlsx", data,
                    SUBSCRIPTION_HEADER, rows)


def users(pop: Population, days: list[date]) -> list[FeedFile]:
    """The Users export, one CSV per team (Excel-friendly: UTF-8 with a BOM), taken before
    the last LATE_USERS_DAYS; the users who joined since come in a later export of the team
    (users_<team>_<date>.csv), after the usage it resolves to their Autodesk IDs."""
    n_days = len(days)
    files = []
    for t, team in enumerate(pop.teams):
        members = np.flatnonzero(pop.user_team == t)
        late = pop.user_join[members] >= n_days - LATE_USERS_DAYS
        parts = [(members[~late], f"users/users_{team.slug}.csv")]
        if late.any():
            parts.append((members[late], f"users/users_{team.slug}_{days[-1]}.csv"))
        for part, path in parts:
            rows = [[pop.first_name[i], pop.last_name[i], pop.email[i], pop.autodesk_id[i],
                     team.name, pop.role[i], "Active" if pop.user_leave[i] >= n_days else
                     "Inactive", "Flex"] for i in part]
            data = csv_bytes(USERS_HEADER, rows, encoding="utf-8-sig")
            files.append(FeedFile(path, data, USERS_HEADER, rows))
    return files


def token_events(pop: Population, ledger: Ledger, days: list[date]) -> FeedFile:
    names = [t.name for t in pop.teams]
    rows = [[e.event_id, days[e.day].isoformat(), e.kind, e.sid or None,
             names[e.from_team] if e.from_team >= 0 else None,
             names[e.to_team] if e.to_team >= 0 else None,
             e.tokens or None, e.reason] for e in ledger.events]
    return FeedFile("token_events/token_events.csv", csv_bytes(EVENTS_HEADER, rows),
                    EVENTS_HEADER, rows)


def team_settings(pop: Population) -> FeedFile:
    rows = [[t.name, "On" if t.pii else "Off"] for t in pop.teams]
    return FeedFile("team_settings/team_settings.csv", csv_bytes(SETTINGS_HEADER, rows),
                    SETTINGS_HEADER, rows)
