"""Running code that cannot read or write what its modes forbid, even when tests run as root
(CI runs as root, where chmod 000 stops nothing): setpriv drops the capabilities that let
root ignore file modes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


def without_dac_override(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """`command` in a subprocess bound by file modes; skips the test when that cannot be."""
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: file modes stop nothing")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), **kwargs.pop("env", {})}
    return subprocess.run(command, capture_output=True, text=True, env=env, **kwargs)


def python_without_dac_override(code: str, **kwargs) -> subprocess.CompletedProcess:
    return without_dac_override([sys.executable, "-c", code], **kwargs)
