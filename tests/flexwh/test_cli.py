"""The `flexwh` command line: usage errors, settings errors, status, generate.

A setting the pipeline cannot use is a usage error, as a bad argument is: exit 2, one
line on stderr naming the variable, no traceback (flexwh/cli.py documents the choice).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flexwh.cli import PRESETS, main

FLEXWH = Path(sys.executable).parent / "flexwh"


def run_flexwh(*args: str) -> subprocess.CompletedProcess:
    """The installed console script, in a process of its own, with the test's environment."""
    return subprocess.run([str(FLEXWH), *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120, check=False)


def test_bad_as_of_setting_is_one_line_naming_the_variable(flexwh_env, monkeypatch):
    monkeypatch.setenv("FLEXWH_AS_OF", "31/02/2026")

    result = run_flexwh("run")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "flexwh run: FLEXWH_AS_OF: not a date (YYYY-MM-DD): '31/02/2026'"
    ]
    assert "Traceback" not in result.stderr + result.stdout
    assert not flexwh_env.warehouse.exists()  # nothing ran


def test_bad_number_setting_names_the_variable(flexwh_env, monkeypatch, capsys):
    monkeypatch.setenv("FLEXWH_THREADS", "many")

    assert main(["status"]) == 2
    assert capsys.readouterr().err == "flexwh status: FLEXWH_THREADS: not a whole number: 'many'\n"


def test_bad_as_of_argument_is_an_argparse_usage_error(flexwh_env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--as-of", "2026-02-30"])

    assert exit_info.value.code == 2
    assert "argument --as-of: not a date (YYYY-MM-DD): '2026-02-30'" in capsys.readouterr().err


def test_export_before_any_publication_is_a_usage_error(flexwh_env, capsys):
    assert main(["export", "--team", "Acme"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "nothing published yet" in error[0] and "flexwh run" in error[0]


def test_export_with_an_unknown_report_is_a_usage_error(flexwh_env, capsys):
    assert main(["export", "--team", "Acme", "--reports", "usage,invoices"]) == 2
    assert "unknown report 'invoices'" in capsys.readouterr().err


def test_status_without_a_warehouse(flexwh_env, capsys):
    assert main(["status"]) == 0
    assert "no warehouse yet" in capsys.readouterr().out


def test_generate_into_a_landing_folder_that_has_feeds_is_a_usage_error(flexwh_env, capsys):
    usage = flexwh_env.landing_dir / "usage"
    usage.mkdir(parents=True)
    (usage / "old.csv").write_text("team,day_used,product_name,tokens_used,autodesk_id\n")

    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("flexwh generate: ") and len(err.splitlines()) == 1


def test_cli_presets_are_the_generators(flexwh_env):
    from sample_feeds import PRESETS as GENERATOR_PRESETS

    assert set(PRESETS) == set(GENERATOR_PRESETS)


def test_demo_generates_only_into_an_empty_landing_folder(flexwh_env, monkeypatch):
    import flexwh.cli

    runs = []
    monkeypatch.setattr(flexwh.cli, "cmd_run", lambda args, settings: runs.append(1) or 0)
    landing = flexwh_env.landing_dir

    assert main(["demo"]) == 0
    files = {p: p.stat().st_mtime_ns for p in landing.rglob("*") if p.is_file()}
    assert {p.relative_to(landing).parts[0] for p in files} >= {
        "usage", "subscriptions", "users", "token_events", "team_settings"
    }
    assert main(["demo"]) == 0  # feeds there already: run them as they are
    assert {p: p.stat().st_mtime_ns for p in landing.rglob("*") if p.is_file()} == files
    assert runs == [1, 1]
