"""The run lock: one writing run at a time, the holder named, released when the holder dies.

A second process holds the lock in these tests (flock locks conflict between processes),
started with the test's FLEXWH_* environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core import run_lock
from core.run_lock import RunLockBusyError
from core.run_records import refused_records
from core.settings import Settings, SettingsError

FLEXWH = Path(sys.executable).parent / "flexwh"
HOLD = """
import sys, time
from core.run_lock import acquire
from core.settings import Settings
acquire(Settings.from_env(), 0)
print("held", flush=True)
time.sleep(float(sys.argv[1]))
"""


@contextmanager
def held_elsewhere(seconds: float = 60) -> Iterator[subprocess.Popen]:
    """Another process holding the run lock for `seconds` (killed on exit)."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(seconds)], env=dict(os.environ),
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        yield process
    finally:
        process.kill()
        process.wait()


def test_a_second_process_is_refused_with_the_holders_pid(flexwh_env):
    with held_elsewhere() as other:
        info = run_lock.holder(flexwh_env)
        assert info["pid"] == other.pid
        with pytest.raises(RunLockBusyError) as busy:
            run_lock.acquire(flexwh_env, timeout_seconds=0.6)
    started = info["started_at"]
    assert str(busy.value) == (f"another run (pid {other.pid}, started {started}) holds the "
                               "warehouse; try again when it ends")
    assert not run_lock.held_here()


def test_a_killed_holder_releases_the_lock(flexwh_env):
    with held_elsewhere() as other:
        os.kill(other.pid, signal.SIGKILL)
        other.wait()
        # The lock file stays, with the dead holder's pid in it: the kernel lock is gone.
        assert (flexwh_env.data_dir / ".run.lock").exists()
        assert run_lock.holder(flexwh_env) is None
        with run_lock.run_lock(flexwh_env, timeout_seconds=0):
            assert run_lock.holder(flexwh_env)["pid"] == os.getpid()
    assert run_lock.holder(flexwh_env) is None


def test_a_second_run_waits_for_the_first_to_end(flexwh_env):
    waits: list[str] = []
    with (held_elsewhere(seconds=1.5) as other,
          run_lock.run_lock(flexwh_env, timeout_seconds=30, on_wait=waits.append)):
        # The holder is ending: the kernel dropped its lock as it closed its files.
        assert other.wait(timeout=5) == 0
        assert run_lock.holder(flexwh_env)["pid"] == os.getpid()
    assert len(waits) == 1
    assert waits[0].startswith(f"waiting up to 30 s for another run (pid {other.pid}, started ")


def test_nested_acquire_in_one_process_keeps_the_lock_until_the_outer_release(flexwh_env):
    outer = run_lock.acquire(flexwh_env, 0)
    try:
        assert run_lock.acquire(flexwh_env, 0) == outer  # the Dagster run inside `flexwh run`
        run_lock.release()
        assert run_lock.held_here()
        probe = subprocess.run([sys.executable, "-c", HOLD, "0"], env=dict(os.environ),
                               capture_output=True, text=True, check=False)
        assert probe.returncode == 1 and "holds the warehouse" in probe.stderr
    finally:
        run_lock.release()
    assert not run_lock.held_here()
    assert run_lock.holder(flexwh_env) is None


def test_lock_timeout_setting():
    def timeout(env: dict[str, str]) -> float:
        return Settings.from_env(env).run_lock_timeout

    assert timeout({}) == 60
    assert timeout({"FLEXWH_RUN_LOCK_TIMEOUT": "0"}) == 0
    assert timeout({"FLEXWH_RUN_LOCK_TIMEOUT": "2.5"}) == 2.5
    with pytest.raises(SettingsError, match="FLEXWH_RUN_LOCK_TIMEOUT: not a number"):
        timeout({"FLEXWH_RUN_LOCK_TIMEOUT": "soon"})
    with pytest.raises(SettingsError, match="FLEXWH_RUN_LOCK_TIMEOUT: must be 0 or more"):
        timeout({"FLEXWH_RUN_LOCK_TIMEOUT": "-1"})


def test_flexwh_run_while_another_run_holds_the_warehouse_is_one_line_and_exit_1(
    flexwh_env, monkeypatch
):
    monkeypatch.setenv("FLEXWH_RUN_LOCK_TIMEOUT", "0")
    flexwh_env.landing_dir.mkdir(parents=True)
    with held_elsewhere() as other:
        started = run_lock.holder(flexwh_env)["started_at"]
        result = subprocess.run([str(FLEXWH), "run"], capture_output=True, text=True,
                                env=dict(os.environ), timeout=120, check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"flexwh run: another run (pid {other.pid}, started {started}) holds the warehouse; "
        "try again when it ends"
    ]
    assert not flexwh_env.warehouse.exists()  # nothing ran
    [refused] = refused_records(flexwh_env)  # kept for the next run to write to audit.runs
    assert (refused.outcome, refused.exit_code, refused.trigger) == ("refused", 1, "cli")
    assert refused.message.startswith(f"another run (pid {other.pid}")
