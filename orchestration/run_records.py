"""The audit.runs record of a run Dagster launched (schedule, sensor, UI), from its event log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from dagster import DagsterInstance, DagsterRun

from flexwh.progress import ProgressListener
from flexwh.run_records import record_of, write_run_record
from flexwh.settings import Settings


def trigger_of(tags: Mapping[str, str]) -> str:
    """audit.runs.trigger from the tags Dagster puts on a run it launches."""
    if "dagster/schedule_name" in tags:
        return "schedule"
    if "dagster/sensor_name" in tags:
        return "sensor"
    return "cli" if tags.get("flexwh/trigger") == "cli" else "dagster"


def as_of_of(run_config: Mapping, settings: Settings) -> date:
    config = run_config.get("resources", {}).get("warehouse", {}).get("config", {}) or {}
    value = config.get("as_of")
    return date.fromisoformat(value) if value else settings.as_of


def full_refresh_of(run_config: Mapping) -> bool:
    config = run_config.get("ops", {}).get("dbt_models", {}).get("config", {}) or {}
    return bool(config.get("full_refresh", False))


def record_dagster_run(instance: DagsterInstance, run: DagsterRun, settings: Settings,
                       started_at: datetime) -> str | None:
    """Replay the run's stored events through the progress listener, then write the record.

    Called at the end of the run (the run lock's teardown): every step has ended, so the
    steps, checks and counts are those `flexwh run` would report; None when written.
    """
    listener = ProgressListener(run.run_id, steps=[], write=lambda _line: None,
                                log_events=False)
    for entry in instance.all_logs(run.run_id):
        listener(entry)
    report = listener.report(success=True)  # failures come from the step and check events
    run_config = run.run_config or {}
    record = record_of(report, started_at=started_at, as_of=as_of_of(run_config, settings),
                       trigger=trigger_of(run.tags), full_refresh=full_refresh_of(run_config))
    return write_run_record(settings, record)
