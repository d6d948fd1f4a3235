"""Write landing files and ingest them into a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.pipeline import ingest_all


class Landing:
    def __init__(self, root: Path):
        self.root = root
        self.landing = root / "landing"
        self.archive = root / "archive"
        self.warehouse = root / "warehouse.duckdb"
        self.runs = 0

    def write(self, rel_path: str, text: str | bytes, newline: str = "\n") -> Path:
        path = self.landing / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else text.replace("\n", newline).encode("utf-8")
        path.write_bytes(data)
        return path

    def ingest(self):
        self.runs += 1
        with duckdb.connect(str(self.warehouse)) as con:
            return ingest_all(con, self.landing, self.archive, f"run-{self.runs}")

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def files(self) -> dict[str, tuple]:
        rows = self.query(
            "select path, status, rows_read, rows_loaded, rows_rejected, message "
            "from audit.ingested_files"
        )
        return {row[0]: row[1:] for row in rows}

    def rejected(self, feed: str) -> list[tuple]:
        return self.query(
            "select path, row_number, reason from audit.rejected_rows where feed = ? "
            "order by path, row_number", [feed],
        )
