"""The sample population as the APS Insights API exports it (spec/autodesk_api.md): the
same simulation as `generate`, cut by team and date range, in the API's CSV layouts.

The local stand-in of the API (aps_stand_in/) serves these; token events and team
settings are not in the API and come from `token_events()` and `team_settings()`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np

from . import other_feeds
from .dates import day_list, history_start
from .presets import get_preset
from .run import _simulate, _stream
from .usage_files import UsageFile
from .usage_write import UsageWriter
from .writers import csv_bytes, table_csv_bytes

TEAM_ID_BASE = 700_000  # team ids the stand-in gives: 700000, 700001, … in team order


class ApsExportData:
    def __init__(self, preset: str = "demo", seed: int = 7, end: date | None = None):
        end = end or date.today() - timedelta(days=1)
        self.days = day_list(history_start(end, get_preset(preset).months), end)
        self.pop, self.rows, ledger = _simulate(get_preset(preset), seed, self.days,
                                                lambda _line: None)
        stamp = datetime.combine(end + timedelta(days=1), time(6, 0))
        self.writer = UsageWriter(self.rows, self.pop, self.days)
        self._subscriptions = other_feeds.subscriptions(self.pop, ledger, self.days, stamp,
                                                        _stream(seed, "subs"))
        self._users = other_feeds.users(self.pop, self.days)
        self._events = other_feeds.token_events(self.pop, ledger, self.days)
        self._settings = other_feeds.team_settings(self.pop)

    @property
    def team_ids(self) -> dict[str, str]:
        """Team id -> team name."""
        return {str(TEAM_ID_BASE + t): team.name for t, team in enumerate(self.pop.teams)}

    def usage(self, start: date, end: date, team_id: str | None) -> list[bytes]:
        """The USAGE report: one CSV per kind of team (named, hashed) that has rows."""
        first = (start - self.days[0]).days
        last = (end - self.days[0]).days
        chosen = (self.rows.day >= first) & (self.rows.day <= last)
        if team_id is not None:
            chosen &= self.rows.team == int(team_id) - TEAM_ID_BASE
        pii = np.array([t.pii for t in self.pop.teams], dtype=bool)[self.rows.team]
        files = []
        for named in (True, False):
            idx = np.flatnonzero(chosen & (pii == named))
            order = idx[np.lexsort((self.rows.second[idx], self.rows.pair[idx],
                                    self.rows.day[idx]))]
            if len(order):
                table = self.writer.table(UsageFile("", "aps", named, order))
                files.append(table_csv_bytes(table))
        return files

    def subscriptions(self, team_id: str | None) -> bytes:
        return self._team_rows(other_feeds.SUBSCRIPTION_HEADER,
                               self._subscriptions.rows, team_id)

    def users(self, team_id: str | None) -> bytes:
        rows = [row for file in self._users for row in file.rows]
        return self._team_rows(other_feeds.USERS_HEADER, rows, team_id)

    def token_events(self) -> bytes:
        return self._events.data

    def team_settings(self) -> bytes:
        return self._settings.data

    def _team_rows(self, header: tuple[str, ...], rows: list[list], team_id: str | None
                   ) -> bytes:
        column = header.index("Team")
        name = self.team_ids.get(team_id) if team_id is not None else None
        return csv_bytes(header, [r for r in rows if name is None or r[column] == name])
