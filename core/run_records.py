"""audit.runs: one row per run of the nightly job, written when the run has ended.

`flexwh run` and Dagster runs (schedule, sensor, UI) both call `write_run_record` while
they still hold the run lock (core/run_lock.py) but no longer the warehouse file, so the
record is the run's last write. A record that cannot be written is logged with its values
and said on the console: never lost silently.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from core.settings import Settings
from core.warehouse import connect_warehouse

# One row per run of the nightly job (written at the end of a run).
RUNS_DDL = """
create schema if not exists audit;
create table if not exists audit.runs (
    run_id varchar primary key,
    started_at timestamp not null,
    ended_at timestamp not null,
    as_of date,
    "trigger" varchar not null,
    full_refresh boolean not null,
    outcome varchar not null,
    exit_code integer not null,
    files_loaded bigint not null,
    files_rejected bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    checks_passed integer not null,
    checks_failed_error integer not null,
    checks_failed_warn integer not null,
    published boolean not null,
    message varchar
);
"""

log = logging.getLogger("flexwh.runs")

TRIGGERS = ("cli", "schedule", "sensor", "dagster")
RECORD_TIMEOUT_SECONDS = 60.0
# Runs refused by the run lock cannot write the warehouse (the holder may be writing it):
# their records wait here until the next run that holds the lock moves them into audit.runs.
REFUSED_FILE = ".refused_runs.jsonl"
RUNNING, KILLED, REFUSED = "running", "killed", "refused"


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    started_at: datetime  # UTC, naive as DuckDB TIMESTAMP
    ended_at: datetime
    as_of: date | None
    trigger: str
    full_refresh: bool
    outcome: str  # success | warnings | failed
    exit_code: int
    files_loaded: int = 0
    files_rejected: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    checks_passed: int = 0
    checks_failed_error: int = 0
    checks_failed_warn: int = 0
    published: bool = False
    message: str | None = None


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def crashed_record(run_id: str, *, started_at: datetime, as_of: date | None, trigger: str,
                   full_refresh: bool, error: BaseException, exit_code: int = 1) -> RunRecord:
    """The record of a run that crashed outside any step: failed, nothing published."""
    first = (str(error).strip().splitlines() or [""])[0][:300]
    return RunRecord(run_id=run_id, started_at=started_at, ended_at=utc_now(), as_of=as_of,
                     trigger=trigger, full_refresh=full_refresh, outcome="failed",
                     exit_code=exit_code,
                     message=f"{type(error).__name__}: {first}".rstrip(": "))


def started_record(run_id: str, *, started_at: datetime, as_of: date | None, trigger: str,
                   full_refresh: bool) -> RunRecord:
    """The record of a run that has started: replaced by its end record. One still found
    by a later run ended without writing it (killed, or the machine stopped)."""
    return RunRecord(run_id=run_id, started_at=started_at, ended_at=started_at, as_of=as_of,
                     trigger=trigger, full_refresh=full_refresh, outcome=RUNNING,
                     exit_code=1, message="no end recorded")


def record_refused(settings: Settings, run_id: str, *, as_of: date | None, trigger: str,
                   full_refresh: bool, error: BaseException) -> None:
    """Keep the record of a run the run lock refused, for the next run to write."""
    now = utc_now()
    record = RunRecord(run_id=run_id, started_at=now, ended_at=now, as_of=as_of,
                       trigger=trigger, full_refresh=full_refresh, outcome=REFUSED,
                       exit_code=1, message=(str(error).strip().splitlines() or [""])[0][:300])
    try:
        with (settings.data_dir / REFUSED_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(record), default=str) + "\n")
    except OSError:
        log.error("record of refused run %s not kept: %s", run_id, asdict(record),
                  exc_info=True)


def refused_records(settings: Settings, taking: bool = False) -> list[RunRecord]:
    """Records of refused runs not yet moved into audit.runs. `taking`: from the file
    open_run set aside (a refused run appending meanwhile starts a new file)."""
    path = settings.data_dir / (REFUSED_FILE + (".taking" if taking else ""))
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            fields = json.loads(line)
            records.append(RunRecord(**{
                **fields,
                "started_at": datetime.fromisoformat(fields["started_at"]),
                "ended_at": datetime.fromisoformat(fields["ended_at"]),
                "as_of": fields["as_of"] and date.fromisoformat(fields["as_of"])}))
        except (ValueError, TypeError, KeyError):
            log.warning("unreadable line in %s skipped", path)
    return records


def open_run(settings: Settings, record: RunRecord) -> None:
    """At the start of a run holding the lock: write its started record, close the records
    of runs that ended without one, and move the refused runs' records into audit.runs."""
    pending = settings.data_dir / REFUSED_FILE
    taking = pending.with_name(REFUSED_FILE + ".taking")
    if pending.exists() and not taking.exists():
        pending.replace(taking)
    refused = refused_records(settings, taking=True)
    with connect_warehouse(settings, timeout_seconds=RECORD_TIMEOUT_SECONDS) as con:
        con.execute(RUNS_DDL)
        con.execute(
            "update audit.runs set outcome = ?, message = ? where outcome = ?",
            [KILLED, f"ended without a record (killed, or the machine stopped); found by "
                     f"run {record.run_id}", RUNNING])
        for one in [*refused, record]:
            _insert(con, one)
    taking.unlink(missing_ok=True)


def _insert(con, record: RunRecord) -> None:
    values = asdict(record)
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join("?" for _ in values)
    # A run is recorded once; writing it again (its end, a retried teardown) replaces it.
    con.execute(f"insert or replace into audit.runs ({columns}) values ({marks})",
                list(values.values()))


def write_run_record(settings: Settings, record: RunRecord,
                     timeout_seconds: float = RECORD_TIMEOUT_SECONDS) -> str | None:
    """Insert the record into audit.runs; on failure log it whole and return one line."""
    values = asdict(record)
    try:
        with connect_warehouse(settings, timeout_seconds=timeout_seconds) as con:
            con.execute(RUNS_DDL)
            _insert(con, record)
    except Exception as error:  # the run's outcome stands; its record must not vanish
        line = f"run record of {record.run_id} not written: {type(error).__name__}: " \
               f"{(str(error).strip().splitlines() or [''])[0]}"
        log.error("%s; record: %s", line, values, exc_info=True)
        return line
    log.info("run record written: %s", values)
    return None
