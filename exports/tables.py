"""The in-memory shape of one export report: a header and its rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """One report (subscriptions, users, usage, by_product, by_user) ready to be written."""

    name: str
    columns: list[str]
    rows: list[tuple]
    # Each column's DuckDB type when read from the database: a column of NULLs still gets
    # its format in the workbook.
    types: list[str] | None = None

    def __post_init__(self) -> None:
        # A short or long row would shift values under the wrong header in both formats.
        width = len(self.columns)
        for index, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(
                    f"table {self.name!r}: row {index} has {len(row)} values, "
                    f"{width} columns expected"
                )
