"""The file registry in `audit.ingested_files`: what was seen, loaded, and in which order."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

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
    # One Arrow table instead of executemany: DuckDB runs executemany row by row.
    table = pa.table({
        "file_seq": pa.array([seq for seq, _ in files], pa.int64()),
        "feed": [r.feed for _, r in files],
        "path": [r.path for _, r in files],
        "sha256": [r.sha256 for _, r in files],
        "size": pa.array([r.size for _, r in files], pa.int64()),
        "status": [r.status for _, r in files],
        "rows_read": pa.array([r.rows_read for _, r in files], pa.int64()),
        "rows_loaded": pa.array([r.rows_loaded for _, r in files], pa.int64()),
        "rows_rejected": pa.array([r.rows_rejected for _, r in files], pa.int64()),
        "message": pa.array([r.message for _, r in files], pa.string()),
    })
    con.register("_flex_audit_in", table)
    con.execute("insert into audit.ingested_files select *, ?, ? from _flex_audit_in",
                [ingested_at, run_id])
    con.unregister("_flex_audit_in")
