"""Great Expectations over the rows a run loaded, batch by batch, on every core.

GX's pandas engine costs about 4 µs a row for the usage suite, and it holds the GIL: a
large delivery is cut into batches of whole files (the per-file rules stay exact), each
read by DuckDB with only the columns its suite looks at, and validated in worker
processes, one per DuckDB thread. Each worker opens the warehouse read-only itself.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date

import duckdb

from orchestration.expectations import Outcome, merge, suite_columns, validate

RUN_FILES = """
select sha256, rows_loaded from audit.ingested_files
where run_id = ? and feed = ? and status = 'loaded' and rows_loaded > 0 order by file_seq
"""
# GX validates pandas frames in memory: batches of whole files of about this many rows.
BATCH_ROWS = 500_000


def file_batches(files: list[tuple[str, int]], limit: int) -> list[list[str]]:
    """Group files (sha256, rows) in delivery order into batches of at most `limit` rows;
    a larger file is a batch of its own."""
    batches: list[list[str]] = []
    size = limit
    for sha256, rows in files:
        if size + rows > limit:
            batches.append([])
            size = 0
        batches[-1].append(sha256)
        size += rows
    return batches


def batch_sql(con: duckdb.DuckDBPyConnection, feed: str) -> str:
    """The suite's columns of the rows of some files; dates as timestamps (pandas compares
    datetime64 columns natively, Python date objects one by one)."""
    types = dict(con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'raw' and table_name = ?",
        [feed]).fetchall())
    columns = [f"cast({name} as timestamp) as {name}" if types[name] == "DATE" else name
               for name in suite_columns(feed)]
    return (f"select {', '.join(columns)} from raw.{feed} "
            "where _file_sha256 in (select unnest(?))")


def validate_batch(database: str, config: dict[str, str], feed: str, files: list[str],
                   as_of: date) -> tuple[list[Outcome], int]:
    """Outcomes of the suite over the rows of these files, and how many rows (a worker)."""
    with duckdb.connect(database, read_only=True, config=config) as con:
        frame = con.execute(batch_sql(con, feed), [files]).df()
    return validate(feed, frame, as_of), len(frame)


UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
         "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def _share(limit: str, parts: int) -> str:
    """A DuckDB memory limit ('1GB', '1500MB', '4 GiB') divided by parts, in MB; a limit
    it cannot read (a percentage) is kept."""
    found = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", limit)
    if not found or found.group(2).upper() not in UNITS:
        return limit
    size = float(found.group(1)) * UNITS[found.group(2).upper()]
    return f"{max(64, int(size / parts / 10**6))}MB"


def validate_run(con: duckdb.DuckDBPyConnection, database: str, config: dict[str, str],
                 feed: str, run_id: str, as_of: date, progress: Callable[[str], None]
                 ) -> tuple[list[Outcome], int]:
    """Outcomes of the feed's suite over the rows the run loaded, and how many rows."""
    files = con.execute(RUN_FILES, [run_id, feed]).fetchall()
    batches = file_batches(files, BATCH_ROWS)
    if len(batches) <= 1:  # a usual night: one batch, no worker to start
        parts = [validate(feed, con.execute(batch_sql(con, feed), [batch]).df(), as_of)
                 for batch in batches]
        return (merge(parts) if parts else []), sum(rows for _, rows in files)
    total = sum(rows for _, rows in files)
    workers = max(1, min(int(config.get("threads", 1)), len(batches)))
    # One DuckDB thread and a share of the memory limit per worker: together they stay
    # within the settings (the frames GX validates are beside it, BATCH_ROWS each).
    worker_config = {**config, "threads": "1"}
    if "memory_limit" in config:
        worker_config["memory_limit"] = _share(config["memory_limit"], workers)
    parts, rows = [], 0
    # spawn: a fork of a process with DuckDB and Dagster threads running can deadlock.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(validate_batch, database, worker_config, feed, batch, as_of)
                   for batch in batches]
        for future in as_completed(futures):
            outcomes, count = future.result()
            parts.append(outcomes)
            rows += count
            progress(f"{rows:,} of {total:,} rows validated")
    return merge(parts), rows
