"""The nightly schedule: every asset and check at 02:00 UTC, reporting on the day before."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from orchestration.jobs import nightly_job


def nightly_run_config(as_of: date) -> dict:
    """The run config of `flexwh run --as-of` (flexwh/runner.py), without its console logger."""
    return {"resources": {"warehouse": {"config": {"as_of": as_of.isoformat()}}}}


@schedule(
    name="nightly",
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    job=nightly_job,
    # On as soon as a daemon runs the code location (docs/operations.md): the product is
    # the nightly job; switch it off in the UI or with `dagster schedule stop nightly`.
    default_status=DefaultScheduleStatus.RUNNING,
    description="Ingest, build, check and publish every night at 02:00 UTC, as of yesterday.",
)
def nightly_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """As of the day before the tick, not before now: a late or backfilled tick reports
    on its own day."""
    tick = context.scheduled_execution_time
    if tick.tzinfo is not None:
        tick = tick.astimezone(UTC)
    as_of = tick.date() - timedelta(days=1)
    return RunRequest(
        run_key=as_of.isoformat(),
        run_config=nightly_run_config(as_of),
        tags={"flexwh/as_of": as_of.isoformat(), "flexwh/trigger": "nightly"},
    )
