"""One writing run at a time: an exclusive lock on $FLEXWH_DATA_DIR/.run.lock for a whole run.

DuckDB's own file lock lasts only while a connection is open, and a run opens and closes
the warehouse many times (ingest, the dbt subprocess, publication): between two steps a
second run could slip in. `flexwh run` and Dagster runs of the nightly job hold this lock
from start to end instead. It is an `fcntl.flock`, so the kernel releases it when the
holder dies, even on SIGKILL: a stale lock file never blocks anyone. Readers (`flexwh
status`, `flexwh export`, the landing_files sensor) never take it.

FLEXWH_RUN_LOCK_TIMEOUT (seconds, default 60): how long a second run waits for the first
to end before it stops with one line naming the holder; 0 fails at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flexwh.settings import Settings
from flexwh.warehouse import WarehouseBusyError

LOCK_FILE = ".run.lock"
POLL_SECONDS = 0.5


class RunLockBusyError(WarehouseBusyError):
    """Another run held the warehouse for longer than the timeout."""


@dataclass
class _Held:
    fd: int
    path: Path
    depth: int
    started_at: datetime


# The lock this process holds. flock conflicts between two open() of the same file even
# in one process, so a nested acquire (the Dagster run inside `flexwh run`) reuses it.
_held: _Held | None = None


def lock_path(settings: Settings) -> Path:
    return settings.data_dir / LOCK_FILE


def holder(settings: Settings) -> dict | None:
    """pid and start of the run holding the lock, or None when no run holds it."""
    path = lock_path(settings)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            # A shared lock is refused while a run holds the exclusive one.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(path) if _held is None else _holder_of(_held)
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
        _held.depth += 1
        return _held.started_at
    timeout = settings.run_lock_timeout if timeout_seconds is None else timeout_seconds
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    waited = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                info = _read_holder(path)
                if time.monotonic() >= deadline:
                    raise RunLockBusyError(f"{holder_text(info)} holds the warehouse; "
                                           "try again when it ends") from None
                if on_wait and not waited:
                    on_wait(f"waiting up to {timeout:.0f} s for {holder_text(info)} to end")
                waited = True
                time.sleep(POLL_SECONDS)
    except BaseException:
        os.close(fd)
        raise
    started_at = datetime.now(UTC).replace(tzinfo=None)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"pid": os.getpid(),
                              "started_at": f"{started_at:%Y-%m-%d %H:%M:%S} UTC"}).encode(), 0)
    _held = _Held(fd, path, 1, started_at)
    return started_at


def release() -> None:
    """Undo one acquire; the outermost release clears the holder and unlocks."""
    global _held
    if _held is None:
        return
    _held.depth -= 1
    if _held.depth > 0:
        return
    held, _held = _held, None
    try:
        os.ftruncate(held.fd, 0)
    finally:
        fcntl.flock(held.fd, fcntl.LOCK_UN)
        os.close(held.fd)


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


def _read_holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None  # being written just now: the message goes without the pid


def _holder_of(held: _Held) -> dict:
    return {"pid": os.getpid(), "started_at": f"{held.started_at:%Y-%m-%d %H:%M:%S} UTC"}
