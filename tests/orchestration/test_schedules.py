"""The nightly schedule: 02:00 UTC, as of the day before the tick, one run per day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from dagster import build_schedule_context, validate_run_config

from orchestration.schedules import nightly_schedule


def tick(when: datetime):
    """What the daemon gets from one evaluation at `when`."""
    data = nightly_schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=when))
    [request] = data.run_requests
    return request


@pytest.mark.parametrize(("when", "as_of"), [
    (datetime(2026, 3, 1, 2, 0, tzinfo=UTC), "2026-02-28"),
    (datetime(2026, 1, 1, 2, 0, tzinfo=UTC), "2025-12-31"),  # year boundary
    (datetime(2028, 3, 1, 2, 0, tzinfo=UTC), "2028-02-29"),  # leap year
    # The same instant seen from Los Angeles (still 28 February there): UTC decides.
    (datetime(2026, 2, 28, 18, 0, tzinfo=ZoneInfo("America/Los_Angeles")), "2026-02-28"),
])
def test_a_tick_reports_on_the_day_before_it_in_utc(when, as_of):
    request = tick(when)

    assert request.run_config == {"resources": {"warehouse": {"config": {"as_of": as_of}}}}
    assert request.run_key == as_of  # a tick evaluated twice starts one run
    assert request.tags["flexwh/as_of"] == as_of


def test_the_schedule_runs_the_nightly_job_at_two_utc():
    assert nightly_schedule.name == "nightly"
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "UTC"
    assert nightly_schedule.job_name == "nightly_job"


def test_the_run_config_is_valid_for_the_nightly_job(flexwh_env):
    from orchestration.definitions import defs

    request = tick(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))

    config = validate_run_config(defs.resolve_job_def("nightly_job"), request.run_config)
    assert config["resources"]["warehouse"]["config"]["as_of"] == "2026-02-28"
