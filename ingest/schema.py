"""DDL of the warehouse's raw and audit schemas (warehouse.md), created idempotently."""

from __future__ import annotations

import duckdb

from core.alert_history import DDL as ALERTS_DDL
from core.run_records import RUNS_DDL
from ingest.feeds import FEEDS, RAW_TYPES, Feed

# Lineage carried by every raw row. `_file_seq` is the delivery order of the file
# (feeds.md "Order of delivery"): re-delivery rules in staging compare it.
LINEAGE_COLUMNS = (
    ("_file_seq", "BIGINT NOT NULL"),
    ("_file_sha256", "VARCHAR NOT NULL"),
    ("_source_path", "VARCHAR NOT NULL"),
    ("_row_number", "BIGINT NOT NULL"),
    ("_ingested_at", "TIMESTAMP NOT NULL"),
    ("_extra", "JSON"),
)

AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.ingested_files (
    file_seq bigint not null,
    feed varchar not null,
    path varchar not null,
    sha256 varchar not null,
    size bigint not null,
    status varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    message varchar,
    ingested_at timestamp not null,
    run_id varchar not null,
    modified_ns bigint
);
create table if not exists audit.rejected_rows (
    feed varchar not null,
    path varchar not null,
    sha256 varchar not null,
    row_number bigint not null,
    "row" json not null,
    reason varchar not null,
    run_id varchar not null
);
""" + RUNS_DDL + ALERTS_DDL


def raw_table_ddl(feed: Feed) -> str:
    columns = [f"{c.name} {RAW_TYPES[c.kind]}" for c in feed.columns]
    columns += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    body = ",\n    ".join(columns)
    return f"create table if not exists {feed.raw_table} (\n    {body}\n);"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and audit schemas and tables when they do not exist yet."""
    con.execute("create schema if not exists raw")
    con.execute(AUDIT_DDL)
    for feed in FEEDS.values():
        con.execute(raw_table_ddl(feed))
