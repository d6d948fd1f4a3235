"""Resources: the DuckDB warehouse (from core.settings), the run lock, the dbt command line."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import cached_property

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from dbt import version as dbt_core_version
from packaging import version
from pydantic import Field, PrivateAttr

from core import run_lock
from core.preflight import check_folders, check_hash_key
from core.run_records import (
    crashed_record,
    open_run,
    record_refused,
    started_record,
    write_run_record,
)
from core.settings import Settings, SettingsError
from core.user_keys import DBT_SECRET_HASH_KEY
from core.warehouse import connect_warehouse
from orchestration.project import DBT_EXECUTABLE, dbt_project


class WarehouseResource(ConfigurableResource):
    """The warehouse and its folders, read from the FLEXWH_* variables when a step runs."""

    as_of: str | None = Field(
        default=None,
        description="Reporting day YYYY-MM-DD for this run; default FLEXWH_AS_OF, else yesterday.",
    )
    lock_timeout_seconds: float = Field(
        default=60.0,
        description="How long a step waits for another process to release the warehouse.",
    )

    def settings(self) -> Settings:
        """The settings of operations.md; relative paths resolved against the working folder."""
        settings = Settings.from_env()
        if self.as_of:
            settings = settings.with_as_of(_parse_day(self.as_of))
        return settings

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with the configured memory limit and threads, closed on exit."""
        with connect_warehouse(self.settings(), read_only=read_only,
                               timeout_seconds=self.lock_timeout_seconds) as con:
            yield con

    def dbt_environment(self) -> dict[str, str]:
        """FLEXWH_* for the dbt process: absolute paths, because dbt runs in dbt_project/."""
        settings = self.settings()
        return {
            "FLEXWH_DATA_DIR": str(settings.data_dir.resolve()),
            "FLEXWH_LANDING_DIR": str(settings.landing_dir.resolve()),
            "FLEXWH_WAREHOUSE": str(settings.warehouse.resolve()),
            "FLEXWH_SERVING_DIR": str(settings.serving_dir.resolve()),
            "FLEXWH_EXPORT_DIR": str(settings.export_dir.resolve()),
            "FLEXWH_AS_OF": settings.as_of.isoformat(),
            "FLEXWH_MEMORY_LIMIT": settings.memory_limit,
            "FLEXWH_THREADS": str(settings.threads),
            **dict(settings.alert_thresholds),
        }


class RunLockResource(ConfigurableResource):
    """The run lock (core/run_lock.py) from the start of a run to its end, then its record.

    Set up once per run and torn down at its end, even a failed one: the code location runs
    every step in one process (in_process_executor). Inside `flexwh run`, which holds the
    lock already, it nests and leaves the record to `flexwh run`.
    """

    timeout_seconds: float | None = Field(
        default=None,
        description="How long a run waits for another to release the warehouse; "
                    "default FLEXWH_RUN_LOCK_TIMEOUT, else 60.",
    )
    _started_at: datetime | None = PrivateAttr(default=None)
    _outermost: bool = PrivateAttr(default=False)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        from orchestration.run_records import as_of_of, full_refresh_of, trigger_of

        settings = Settings.from_env()
        self._outermost = not run_lock.held_here()
        log = context.log.info if context.log else None
        run = context.run
        if not self._outermost or run is None:  # inside `flexwh run`: it checks and records
            self._started_at = run_lock.acquire(settings, self.timeout_seconds, on_wait=log)
            return
        facts = {"as_of": as_of_of(run.run_config or {}, settings),
                 "trigger": trigger_of(run.tags),
                 "full_refresh": full_refresh_of(run.run_config or {})}
        check_folders(settings)
        try:
            self._started_at = run_lock.acquire(settings, self.timeout_seconds, on_wait=log)
        except run_lock.RunLockBusyError as busy:
            record_refused(settings, run.run_id, error=busy, **facts)
            raise
        try:
            open_run(settings, started_record(run.run_id, started_at=self._started_at,
                                              **facts))
            check_hash_key(settings)
        except BaseException as error:  # no teardown follows a failed setup
            code = 2 if isinstance(error, SettingsError) else 1
            write_run_record(settings, crashed_record(
                run.run_id, started_at=self._started_at, error=error, exit_code=code, **facts))
            run_lock.release()
            raise

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        from orchestration.run_records import record_dagster_run

        try:
            if self._outermost and context.instance and context.run:
                problem = record_dagster_run(context.instance, context.run,
                                             Settings.from_env(), self._started_at)
                if problem and context.log:
                    context.log.error(problem)
        finally:
            run_lock.release()


@contextmanager
def dbt_process_environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ for the duration of a dbt call, restored afterwards.

    DbtCliResource gives its subprocess a copy of os.environ and has no other way in, so the
    resolved FLEXWH_* values are set around the call. FLEXWH_HASH_KEY is passed on as
    DBT_ENV_SECRET_FLEXWH_HASH_KEY, read only by the Python model int_user_keys: dbt masks
    such values in its logs and no template can read them (env_var() refuses the prefix
    outside profiles.yml), so the key stays out of the manifest, compiled code, logs and
    run results. Without FLEXWH_HASH_KEY the model reads the key file of FLEXWH_DATA_DIR.
    """
    saved = dict(os.environ)
    os.environ.update(values)
    os.environ.pop(DBT_SECRET_HASH_KEY, None)
    hash_key = os.environ.pop("FLEXWH_HASH_KEY", None)
    if hash_key:
        os.environ[DBT_SECRET_HASH_KEY] = hash_key
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SettingsError(f"as_of: not a date (YYYY-MM-DD): {value!r}") from None


class FlexDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two costs of each `dbt build` we have no use for:
    `dbt --version` in a subprocess (3.5 s; the executable is the venv's own, whose
    version is the dbt-core imported here) and a dbt adapter opened in this process
    (1.3 s; it only serves column metadata and row counts, which the assets do not fetch).
    Both are private methods of the pinned dagster-dbt (requirements.lock); a test checks
    the version against the executable's."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_core_version.__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> DbtCliResource:
    """dbt on the project of orchestration/project.py, run with the venv's executable."""
    return FlexDbtCliResource(project_dir=dbt_project, dbt_executable=os.fspath(DBT_EXECUTABLE))
