"""Fixtures for the dbt project: raw rows in a temporary DuckDB file, and a dbt build."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.schema import ensure_schema
from tests.dbt.invoke import run_dbt

LINEAGE = ("_file_seq", "_file_sha256", "_source_path", "_row_number", "_ingested_at")

# Per feed: the columns given, then the rows of each file by its _file_seq.
RawFeed = tuple[Sequence[str], dict[int, list[tuple]]]


def _write_raw(warehouse: Path, feeds: dict[str, RawFeed]) -> None:
    """Create the raw and audit schemas (ingest DDL) and load the rows of each "file".

    Rows of a file get the row numbers a spreadsheet shows (header = 1): 2, 3, ...
    Columns not given keep their default: NULL (`usage.version` must be given: never NULL).
    """
    con = duckdb.connect(str(warehouse))
    try:
        ensure_schema(con)
        for feed, (columns, files) in feeds.items():
            names = ", ".join((*columns, *LINEAGE))
            marks = ", ".join("?" * (len(columns) + len(LINEAGE)))
            for file_seq, rows in files.items():
                lineage = (file_seq, f"sha-{file_seq}", f"{feed}/file-{file_seq}.csv")
                con.executemany(
                    f"insert into raw.{feed} ({names}) values ({marks})",
                    [
                        (*row, *lineage, row_number, datetime(2026, 3, 1))
                        for row_number, row in enumerate(rows, start=2)
                    ],
                )
    finally:
        con.close()


@pytest.fixture(scope="session")
def write_raw() -> Callable[[Path, dict[str, RawFeed]], None]:
    """Write raw rows into a new warehouse file: {feed: (columns, {file_seq: rows})}."""
    return _write_raw


@pytest.fixture(scope="session")
def dbt_build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], None]:
    """`dbt build --select <selector>` on a warehouse file with the project's profiles.yml,
    with target and log folders of its own."""

    def build(warehouse: Path, selector: str) -> None:
        run_dir = tmp_path_factory.mktemp("dbt")
        run_dbt(["build", "--select", selector,
                 "--target-path", str(run_dir / "target"), "--log-path", str(run_dir / "logs")],
                {**os.environ, "FLEXWH_WAREHOUSE": str(warehouse)})

    return build
