"""One writing run at a time: an exclusive lock on $FLEXWH_DATA_DIR/.run.lock for a whole run.

DuckDB's own file lock lasts only while a connection is open, and a run opens and closes
the warehouse many times (ingest, the dbt subprocess, publication): between two steps a
second run could slip in. `flexwh run` and Dagster runs of the nightly job hold this lock
from start to end instead. It is an `fcntl.flock`, so the kernel releases it when the
holder dies, even on SIGKILL: a stale lock file never blocks anyone. Readers (`flexwh
status`, `flexwh export`, the landing_files sensor) never take it. The lock itself is
filelock's (flock on Unix, re-entrant in the process: the Dagster run inside `flexwh run`
nests in it); the holder's pid and start are written into the lock file for the message of
whoever waits.

FLEXWH_RUN_LOCK_TIMEOUT (seconds, default 60): how long a second run waits for the first
to end before it stops with one line naming the holder; 0 fails at once.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from core.settings import Settings
from core.warehouse import WarehouseBusyError

LOCK_FILE = ".run.lock"
POLL_SECONDS = 0.5


class RunLockBusyError(WarehouseBusyError):
    """Another run held the warehouse for longer than the timeout."""


# The lock this process holds, and when its outermost acquire took it.
_held: tuple[FileLock, datetime] | None = None


def lock_path(settings: Settings) -> Path:
    return settings.data_dir / LOCK_FILE


def holder(settings: Settings) -> dict | None:
    """pid and start of the run holding the lock, or None when no run holds it."""
    if _held is not None:
        return _holder_info(_held[1])
    path = lock_path(settings)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            # A shared lock is refused while a run holds the exclusive one; taking the
            # exclusive lock to look would refuse a run starting at that moment.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def holder_text(info: dict | None, noun: str = "another run") -> str:
    if not info or "pid" not in info:
        return noun
    return f"{noun} (pid {info['pid']}, started {info.get('started_at', '?')})"


def acquire(settings: Settings, timeout_seconds: float | None = None,
            on_wait: Callable[[str], None] | None = None) -> datetime:
    """Take the lock (or nest in this process's); return when the outermost holder took it."""
    global _held
    if _held is not None:
        _held[0].acquire()
        return _held[1]
    timeout = settings.run_lock_timeout if timeout_seconds is None else timeout_seconds
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    taken: list[datetime] = []

    def write_holder(fd: int) -> None:  # filelock calls it once the lock is ours
        taken.append(datetime.now(UTC).replace(tzinfo=None))
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder_info(taken[-1])).encode(), 0)

    lock = FileLock(path, mode=0o644, thread_local=False, preserve_lock_file=True,
                    on_acquired=write_holder)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        info = _read_holder(path)
        if timeout <= 0:
            raise RunLockBusyError(_busy(info)) from None
        if on_wait:
            on_wait(f"waiting up to {timeout:.0f} s for {holder_text(info)} to end")
        try:
            lock.acquire(timeout=timeout, poll_interval=POLL_SECONDS)
        except Timeout:
            raise RunLockBusyError(_busy(_read_holder(path))) from None
    _held = (lock, taken[-1])
    return taken[-1]


def release() -> None:
    """Undo one acquire; the outermost release clears the holder and unlocks."""
    global _held
    if _held is None:
        return
    lock = _held[0]
    if lock.lock_counter == 1:
        _held = None
        try:
            Path(lock.lock_file).write_text("", encoding="utf-8")
        finally:
            lock.release()
    else:
        lock.release()


def held_here() -> bool:
    """This process holds the lock (a nested Dagster run leaves records to the outer run)."""
    return _held is not None


@contextmanager
def run_lock(settings: Settings, timeout_seconds: float | None = None,
             on_wait: Callable[[str], None] | None = None) -> Iterator[datetime]:
    """The lock for the duration of the block; yields when it was taken (UTC, naive)."""
    started_at = acquire(settings, timeout_seconds, on_wait)
    try:
        yield started_at
    finally:
        release()


def _busy(info: dict | None) -> str:
    return f"{holder_text(info)} holds the warehouse; try again when it ends"


def _read_holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None  # being written just now: the message goes without the pid


def _holder_info(started_at: datetime) -> dict:
    return {"pid": os.getpid(), "started_at": f"{started_at:%Y-%m-%d %H:%M:%S} UTC"}
