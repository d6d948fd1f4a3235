"""The file registry in `audit.ingested_files`: what was seen, loaded, and in which order."""

from __future__ import annotations

from datetime import datetime

import duckdb

from ingest.results import LOADED, FileResult


def known_files(con: duckdb.DuckDBPyConnection, feed: str) -> set[tuple[str, str]]:
    """(path, sha256) of every file of the feed already recorded: not new any more."""
    rows = con.execute(
        "select path, sha256 from audit.ingested_files where feed = ?", [feed]
    ).fetchall()
    return set(rows)


def loaded_hashes(con: duckdb.DuckDBPyConnection, feed: str) -> set[str]:
    rows = con.execute(
        "select sha256 from audit.ingested_files where feed = ? and status = ?", [feed, LOADED]
    ).fetchall()
    return {sha for (sha,) in rows}


def next_file_seq(con: duckdb.DuckDBPyConnection) -> int:
    [(last,)] = con.execute(
        "select coalesce(max(file_seq), 0) from audit.ingested_files"
    ).fetchall()
    return last + 1


def record_files(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[int, FileResult]],
    run_id: str,
    ingested_at: datetime,
) -> None:
    """Insert one audit row per (file_seq, result)."""
    if not files:
        return
    # Parallel lists unnested side by side: DuckDB runs executemany row by row.
    columns = list(zip(*[
        (seq, r.feed, r.path, r.sha256, r.size, r.status, r.rows_read, r.rows_loaded,
         r.rows_rejected, r.message) for seq, r in files
    ], strict=True))
    con.execute(
        "insert into audit.ingested_files select unnest(?), unnest(?), unnest(?), unnest(?), "
        "unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), unnest(?)::varchar, ?, ?",
        [*map(list, columns), ingested_at, run_id],
    )
