"""Write the planned usage files: columns are gathered from small dictionaries by index."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from .activity import RATES, UsageRows
from .catalog import PRODUCTS
from .population import Population
from .usage_files import MASK, STYLES, UsageFile
from .writers import table_csv_bytes, write_file, xlsx_bytes


class UsageWriter:
    def __init__(self, rows: UsageRows, pop: Population, days: list[date]) -> None:
        self.rows, self.days = rows, days
        years = rows.version[rows.version > 0]
        self.first_year = int(years.min()) if len(years) else 0
        last_year = int(years.max()) if len(years) else 0
        self.version_code = np.where(rows.version > 0, rows.version - self.first_year + 1, 0)
        self.lookup = {
            "team": pa.array([t.name for t in pop.teams]),
            "product": pa.array([p.name for p in PRODUCTS]),
            "version": pa.array([None] + [str(y) for y in range(self.first_year, last_year + 1)],
                                pa.string()),
            "day": pa.array([d.isoformat() for d in days]),
            "day_time": pa.array([f"{d.isoformat()}T00:00:00Z" for d in days]),
            "tokens_decimal": pa.array([f"{v}.0" for v in range(int(RATES.max()) + 1)]),
            "autodesk_id": pa.array(pop.autodesk_id), "hashed_id": pa.array(pop.hashed_id),
            "email": pa.array(pop.email), "first": pa.array(pop.first_name),
            "last": pa.array(pop.last_name),
        }

    def _column(self, source: str, idx: np.ndarray) -> pa.Array:
        r = self.rows
        index = {"team": r.team, "product": r.product, "version": self.version_code,
                 "day": r.day, "day_time": r.day, "tokens_decimal": r.tokens,
                 "autodesk_id": r.user, "hashed_id": r.user, "email": r.user,
                 "first": r.user, "last": r.user}
        if source == "tokens":
            return pa.array(r.tokens[idx])
        if source == "mask":
            return pa.array([MASK]).take(np.zeros(len(idx), dtype=np.int32))
        if source == "null":
            return pa.nulls(len(idx), pa.string())
        return self.lookup[source].take(index[source][idx])

    def table(self, file: UsageFile) -> pa.Table:
        spec = STYLES[(file.style, file.pii)]
        return pa.table({h: self._column(s, file.rows) for h, s in spec})

    def write(self, out: Path, file: UsageFile, stamp: datetime,
              corrupt: Callable[[bytes], bytes] | None = None) -> bytes:
        """Write one file; `corrupt` (dirty mode) edits the CSV bytes before writing."""
        table = self.table(file)
        if file.xlsx:
            data = xlsx_bytes(self._sheets(file, table, stamp), stamp)
        else:
            # The 2026 export is made for Excel: UTF-8 with a BOM and CRLF line ends.
            title = file.style == "title"
            data = table_csv_bytes(table, bom=title, crlf=title)
            if corrupt is not None:
                data = corrupt(data)
        write_file(out / file.path, data)
        return data

    def _sheets(self, file: UsageFile, table: pa.Table, stamp: datetime) -> list:
        """A parameters sheet first, as Autodesk Account exports it, then typed data."""
        columns = table.to_pydict()
        for name in ("usage_date", "Day used"):
            if name in columns:
                columns[name] = [date.fromisoformat(v) for v in columns[name]]
        for name in ("product_version", "Version"):
            if name in columns:
                columns[name] = [None if v is None else int(v) for v in columns[name]]
        data = [table.column_names, *(list(r) for r in zip(*columns.values(), strict=True))]
        first, last = self.days[self.rows.day[file.rows].min()], self.days[
            self.rows.day[file.rows].max()]
        parameters = [
            ["Report:", "Token usage"],
            ["Team:", str(columns[table.column_names[0]][0])],
            ["Date range:", f"{first.isoformat()} - {last.isoformat()}"],
            ["Personal data:", "Shown" if file.pii else "Hidden"],
            ["Exported:", stamp.strftime("%Y-%m-%d %H:%M UTC")],
        ]
        return [("Parameters", parameters), ("Token usage", data)]
