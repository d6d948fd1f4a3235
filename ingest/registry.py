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


def unchanged_files(con: duckdb.DuckDBPyConnection, feed: str) -> set[tuple[str, int, int]]:
    """(path, size, mtime) of the files recorded already: a landing file that still has
    all three is not read again (the quick check rsync makes), so a run with nothing new
    does not hash the whole landing folder."""
    rows = con.execute(
        "select path, size, modified_ns from audit.ingested_files "
        "where feed = ? and modified_ns is not null", [feed]
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
         r.rows_rejected, r.message, r.modified_ns) for seq, r in files
    ], strict=True))
    con.execute(
        "insert into audit.ingested_files select unnest(?), unnest(?), unnest(?), unnest(?), "
        "unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), unnest(?)::varchar, ?, ?, "
        "unnest(?)::bigint",
        [*map(list, columns[:10]), ingested_at, run_id, list(columns[10])],
    )
