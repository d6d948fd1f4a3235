"""audit.fetched_exports: one row per export asked for, what it covered and what landed."""

from __future__ import annotations

from datetime import date

import duckdb

TABLE = "audit.fetched_exports"
DDL = f"""
create schema if not exists audit;
create table if not exists {TABLE} (
    export_id varchar not null,
    team_id varchar not null,          -- '' = every team of the caller
    start_date date not null,
    end_date date not null,
    status varchar not null,           -- SUBMITTED, COMPLETED (files landed), ERROR, FAILED
    files integer not null,
    bytes bigint not null,
    file_names varchar,                -- JSON list of the landed paths, relative to landing
    message varchar,                   -- why it failed, one line
    requested_at timestamp not null,
    finished_at timestamp,
    manual boolean not null default false  -- asked with --from: does not move the watermark
);
"""


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def last_fetched_day(con: duckdb.DuckDBPyConnection, team_id: str) -> date | None:
    [(day,)] = con.execute(f"select max(end_date) from {TABLE} where team_id = ? "
                           "and status = 'COMPLETED' and not manual", [team_id]).fetchall()
    return day


def fetched(con: duckdb.DuckDBPyConnection, team_id: str, start: date, end: date) -> bool:
    [(count,)] = con.execute(f"select count(*) from {TABLE} where team_id = ? and "
                             "start_date = ? and end_date = ? and status = 'COMPLETED'",
                             [team_id, start, end]).fetchall()
    return count > 0


def pending_export(con: duckdb.DuckDBPyConnection, team_id: str, start: date, end: date
                   ) -> str | None:
    """An export asked for by a fetch that stopped before its files landed."""
    rows = con.execute(f"select export_id from {TABLE} where team_id = ? and start_date = ? "
                       "and end_date = ? and status = 'SUBMITTED' order by requested_at desc",
                       [team_id, start, end]).fetchall()
    return rows[0][0] if rows else None


def record_submitted(con: duckdb.DuckDBPyConnection, export_id: str, team_id: str,
                     start: date, end: date, manual: bool = False) -> None:
    con.execute(f"insert into {TABLE} (export_id, team_id, start_date, end_date, status, "
                "files, bytes, requested_at, manual) values (?, ?, ?, ?, 'SUBMITTED', 0, 0, "
                "current_timestamp, ?)", [export_id, team_id, start, end, manual])


def record_outcome(con: duckdb.DuckDBPyConnection, export_id: str, status: str, files: int,
                   size: int, file_names: str | None, message: str | None) -> None:
    con.execute(f"update {TABLE} set status = ?, files = ?, bytes = ?, file_names = ?, "
                "message = ?, finished_at = current_timestamp where export_id = ?",
                [status, files, size, file_names, message, export_id])
