"""The dbt project as Dagster sees it; its manifest.json must exist before assets/dbt.py loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

# The venv's dbt, next to the running Python: PATH does not matter (STACK.md trap).
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepare_if_dev() -> None:
    """Under `dagster dev`, re-parse on every code load so model edits show up at once.

    This is DbtProject.prepare_if_dev() with the venv's dbt: dagster-dbt's own preparer
    runs the `dbt` found on PATH, and `.venv/bin/dagster dev` does not put the venv there.
    Elsewhere the manifest must exist already: `make parse`, the pytest session, or
    ensure_manifest() in the flexwh command.
    """
    if dbt_project.preparer.using_dagster_dev():
        parse_project()


def ensure_manifest() -> Path:
    """Run `dbt parse` when manifest.json is missing (a fresh clone); return its path."""
    if not dbt_project.manifest_path.exists():
        parse_project()
    return dbt_project.manifest_path


def parse_project() -> None:
    """`dbt parse`: writes target/manifest.json, which @dbt_assets reads at import."""
    result = subprocess.run(
        [str(DBT_EXECUTABLE), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-5:]
        raise RuntimeError("dbt parse failed in dbt_project/: " + " | ".join(output))


prepare_if_dev()
