"""`flexwh run`: the nightly job in this process, one progress line per step, an exit code.

Dagster itself stays quiet on the console: its events go to the log file, and the
console gets our progress lines (orchestration/progress.py) and the end summary.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import date
from pathlib import Path

from aps.settings import ApsSettings
from core.preflight import check_folders, check_hash_key
from core.run_lock import RunLockBusyError, run_lock
from core.run_records import (
    crashed_record,
    open_run,
    record_refused,
    started_record,
    write_run_record,
)
from core.settings import Settings, SettingsError
from orchestration.progress import ProgressListener, RunReport
from orchestration.run_records import record_of

log = logging.getLogger("flexwh.run")

# Written once into $FLEXWH_DATA_DIR/dagster_home: run history for `flexwh run` and
# `dagster dev` alike; a headless batch job sends no telemetry.
DAGSTER_YAML = """\
# Written by flexwh. Run history of `flexwh run`, and of `dagster dev` when DAGSTER_HOME
# points here (https://docs.dagster.io/deployment/oss/dagster-yaml).
telemetry:
  enabled: false
# One run at a time: DuckDB allows one writing process per warehouse file; a run the
# schedule or the sensor starts while another runs waits in the queue.
concurrency:
  runs:
    max_concurrent_runs: 1
"""

TRIGGER_TAG = "flexwh/trigger"
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def prepare_dagster_home(settings: Settings) -> Path:
    """The Dagster home under the data folder, with its dagster.yaml (`make dev` uses it)."""
    home = settings.dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # Ours (written by an earlier version) is brought up to date; a hand-written one is kept.
    if not config.exists() or config.read_text(encoding="utf-8").startswith("# Written by flexwh"):
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


@contextmanager
def dagster_home(settings: Settings) -> Iterator[Path]:
    """DAGSTER_HOME under the data folder for the duration of the run, then restored."""
    home = prepare_dagster_home(settings)
    saved = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    try:
        yield home
    finally:
        if saved is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = saved


def run_config(as_of: date | None, full_refresh: bool) -> dict:
    config: dict = dict(QUIET_CONSOLE)
    if as_of is not None:
        config["resources"] = {"warehouse": {"config": {"as_of": as_of.isoformat()}}}
    if full_refresh:
        config["ops"] = {"dbt_models": {"config": {"full_refresh": True}}}
    return config


def run_nightly(
    settings: Settings,
    as_of: date | None = None,
    full_refresh: bool = False,
    write: Callable[[str], None] = print,
    log_stream=None,
    rotate_hash_key: bool = False,
) -> RunReport:
    """Materialize every asset and run every check; `write` gets one line per step.

    The run lock is held from the first step to the run record: a second `flexwh run` or
    Dagster run waits for it, or stops with one line naming this run (RunLockBusyError),
    and its refusal is recorded. Settings the run cannot use stop it before any step
    (SettingsError); `rotate_hash_key` accepts a key other than the warehouse's and
    rebuilds everything with it.
    """
    if ApsSettings.from_env(settings) is not None:
        # The first step fetches the feeds: an empty landing folder is where they land.
        settings.landing_dir.mkdir(parents=True, exist_ok=True)
    check_folders(settings)
    run_id = str(uuid.uuid4())  # known before the run starts, so the listener can follow it
    day = as_of or settings.as_of
    full_refresh = full_refresh or rotate_hash_key  # every stored user key changes
    facts = {"as_of": day, "trigger": "cli", "full_refresh": full_refresh}
    locked = False
    try:
        with run_lock(settings, on_wait=write) as started_at:
            locked = True
            open_run(settings, started_record(run_id, started_at=started_at, **facts))
            try:
                check_hash_key(settings, rotate=rotate_hash_key)
                report = _execute(settings, run_id, as_of, full_refresh, write, log_stream)
            except BaseException as error:
                code = 2 if isinstance(error, SettingsError) else 1
                write_run_record(settings, crashed_record(
                    run_id, started_at=started_at, error=error, exit_code=code, **facts))
                raise
            problem = write_run_record(settings, record_of(report, started_at=started_at,
                                                           **facts))
            if problem:
                write(f"warning: {problem} (details in the log)")
    except RunLockBusyError as busy:
        if not locked:
            record_refused(settings, run_id, error=busy, **facts)
        raise
    return report


def _execute(settings: Settings, run_id: str, as_of: date | None, full_refresh: bool,
             write: Callable[[str], None], log_stream) -> RunReport:
    from dagster import DagsterInstance

    from orchestration.project import ensure_manifest

    ensure_manifest()  # a fresh clone has no manifest.json yet; @dbt_assets needs it
    from orchestration.definitions import defs
    from orchestration.resources import WarehouseResource

    # A process outside flexwh (a DuckDB shell) holding the file: wait for it here, or fail
    # with one clear message, rather than in every ingest step in turn.
    with WarehouseResource().connect():
        pass

    job = defs.resolve_job_def("nightly_job")
    steps = [node.name for node in job.nodes_in_topological_order]
    listener = ProgressListener(run_id=run_id, steps=steps, write=write)
    with dagster_home(settings), DagsterInstance.get() as instance:
        instance.add_event_listener(run_id, listener)
        # dbt's own output goes to stdout (dagster-dbt echoes it): into the log instead.
        with redirect_stdout(log_stream or sys.stderr):
            result = job.execute_in_process(
                run_config=run_config(as_of, full_refresh),
                instance=instance,
                run_id=run_id,
                raise_on_error=False,
                tags={TRIGGER_TAG: "cli"},
            )
    return listener.report(success=result.success)
