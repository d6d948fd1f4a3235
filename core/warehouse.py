"""Open the warehouse file, waiting a while when another process holds it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core.settings import Settings


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse file (DuckDB allows one writing process)."""


@contextmanager
def connect_warehouse(settings: Settings, read_only: bool = False,
                      timeout_seconds: float = 60.0,
                      path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the configured memory limit and threads, closed on exit.

    DuckDB refuses a second process while one writes (and a writer while others read): wait
    up to `timeout_seconds` for it to end, then fail with one clear line.
    """
    path = (path or settings.warehouse).resolve()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only,
                                 config=settings.duckdb_config())
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"warehouse {path} is in use by another process "
                    f"(waited {timeout_seconds:.0f} s); try again when it ends"
                ) from None
            time.sleep(1.0)
    try:
        yield con
    finally:
        con.close()
