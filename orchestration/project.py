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

# Under `dagster dev` the manifest is re-parsed on every load (with the `dbt` on PATH, so
# run it from the activated venv); elsewhere it must exist already: `make parse`, the
# pytest session, or ensure_manifest() in the flexwh command.
dbt_project.prepare_if_dev()


def ensure_manifest() -> Path:
    """Run `dbt parse` when manifest.json is missing (a fresh clone); return its path."""
    if not dbt_project.manifest_path.exists():
        parse_project()
    return dbt_project.manifest_path


def parse_project() -> None:
    """`dbt parse`: writes target/manifest.json, which @dbt_assets reads at import."""
    subprocess.run(
        [str(DBT_EXECUTABLE), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, check=True, capture_output=True, text=True,
    )
