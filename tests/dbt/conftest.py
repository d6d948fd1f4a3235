"""Fixtures for the dbt project: raw rows in a temporary DuckDB file, and a dbt build."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.schema import ensure_schema

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
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
    """Run `dbt build --select <selector>` on a warehouse file as the orchestration does
    (cwd dbt_project/, its profiles.yml), with target and log folders of its own."""

    def build(warehouse: Path, selector: str) -> None:
        run_dir = tmp_path_factory.mktemp("dbt")
        result = subprocess.run(
            [
                str(DBT), "build", "--select", selector,
                "--profiles-dir", ".", "--project-dir", ".",
                "--target-path", str(run_dir / "target"),
                "--log-path", str(run_dir / "logs"),
            ],
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, "FLEXWH_WAREHOUSE": str(warehouse)},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr

    return build
