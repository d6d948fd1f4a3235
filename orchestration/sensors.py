"""The landing_files sensor: a run of the nightly job when new or changed feed files land."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import duckdb
from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from core import run_lock
from core.settings import Settings
from ingest.discovery import LandingFile, discover
from ingest.feeds import FEEDS
from ingest.registry import unchanged_files
from orchestration.jobs import nightly_job

MINIMUM_INTERVAL_SECONDS = 60


class WarehouseInUse(RuntimeError):
    """A run holds the warehouse for writing; the sensor looks again at its next tick."""


def landing_files(landing_dir: Path) -> list[LandingFile]:
    """Every file of every feed folder, feeds in FEEDS order, files in delivery order."""
    return [file for feed in FEEDS for file in discover(landing_dir, feed)]


def recorded_files(warehouse: Path, config: dict) -> set[tuple[str, int, int]]:
    """(path, size, mtime) of the files audit.ingested_files knows, read-only."""
    if not warehouse.is_file():
        return set()
    try:
        con = duckdb.connect(str(warehouse), read_only=True, config=dict(config))
    except (duckdb.IOException, duckdb.ConnectionException) as error:
        # Another process writing (IOException: lock), or this one (ConnectionException).
        if isinstance(error, duckdb.IOException) and "lock" not in str(error).lower():
            raise
        raise WarehouseInUse(f"warehouse {warehouse} is in use by a run") from None
    try:
        if not con.execute(
            "select 1 from duckdb_tables() where schema_name = 'audit' "
            "and table_name = 'ingested_files'"
        ).fetchall():
            return set()  # nothing ingested yet
        return {row for feed in FEEDS for row in unchanged_files(con, feed)}
    finally:
        con.close()


def fingerprint(files: Iterable[LandingFile]) -> str:
    """sha256 of the sorted (path, size, mtime): the same files in the same state, the same key."""
    digest = hashlib.sha256()
    for rel_path, size, modified_ns in sorted((f.rel_path, f.size, f.modified_ns) for f in files):
        digest.update(f"{rel_path}\0{size}\0{modified_ns}\n".encode())
    return digest.hexdigest()


@sensor(
    name="landing_files",
    job=nightly_job,
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts the nightly job when files land that the warehouse has not ingested.",
)
def landing_files_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    """New or changed = not in audit.ingested_files with the same path, size and mtime
    (the quick check ingest itself makes); cursor and run key are their fingerprint."""
    settings = Settings.from_env()
    files = landing_files(settings.landing_dir)
    if not files:
        return SkipReason(f"no feed files in the landing folder {settings.landing_dir}")
    running = run_lock.holder(settings)
    if running is not None:  # its ingest may not have reached these files yet
        return SkipReason(f"{run_lock.holder_text(running, 'a run')} is writing the "
                          "warehouse; looking again at the next tick")
    try:
        recorded = recorded_files(settings.warehouse, settings.duckdb_config())
    except WarehouseInUse as busy:
        return SkipReason(f"{busy}; looking again at the next tick")
    pending = [f for f in files if (f.rel_path, f.size, f.modified_ns) not in recorded]
    if not pending:
        return SkipReason(f"all {len(files)} files in the landing folder are ingested already")
    key = fingerprint(pending)
    if key == context.cursor:
        return SkipReason(f"{len(pending)} new or changed files, a run was requested for them "
                          f"already (run key {key[:12]})")
    context.log.info("%d new or changed files, first %s", len(pending), pending[0].rel_path)
    return SensorResult(
        run_requests=[RunRequest(run_key=key, tags={"flexwh/trigger": "landing_files"})],
        cursor=key,
    )
