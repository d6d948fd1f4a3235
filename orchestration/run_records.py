"""The audit.runs record of a run Dagster launched (schedule, sensor, UI), from its event log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from dagster import DagsterInstance, DagsterRun

from core.run_records import RunRecord, utc_now, write_run_record
from core.settings import Settings
from orchestration.progress import ProgressListener, RunReport

PUBLISH_STEPS = ("publish",)  # the serving database and the exports, published together


def record_of(report: RunReport, *, started_at: datetime, as_of: date | None, trigger: str,
              full_refresh: bool) -> RunRecord:
    """The record of a run that went through the job: counts from its progress report."""
    errors = sum(1 for c in report.failed_checks if c.severity == "ERROR")
    return RunRecord(
        run_id=report.run_id, started_at=started_at, ended_at=utc_now(), as_of=as_of,
        trigger=trigger, full_refresh=full_refresh, outcome=report.outcome,
        exit_code=report.exit_code, **report.totals(),
        checks_passed=report.checks_passed, checks_failed_error=errors,
        checks_failed_warn=len(report.failed_checks) - errors,
        published=set(PUBLISH_STEPS) <= set(report.succeeded_steps),
        message=report.failure_line(),
    )


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
