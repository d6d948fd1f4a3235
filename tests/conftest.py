"""Session set-up shared by every test, and an isolated flexwh environment per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = "2026-03-31"
TEST_HASH_KEY = "test-hash-key-0123456789abcdef"


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """`dbt parse` once per session: @dbt_assets reads manifest.json when imported (STACK.md).

    Always parsed, never reused from an earlier session, so tests see the models as they
    are now; the fixture does not import Dagster, so tests that need no dbt stay fast.
    """
    from orchestration.project import dbt_project, parse_project

    parse_project()
    return dbt_project.manifest_path


@pytest.fixture
def flexwh_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """FLEXWH_* pointing at a fresh data folder under tmp_path; the settings they give."""
    for name in list(os.environ):
        if name.startswith("FLEXWH_") or name == "DAGSTER_HOME":
            monkeypatch.delenv(name)
    monkeypatch.setenv("FLEXWH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FLEXWH_AS_OF", AS_OF)
    monkeypatch.setenv("FLEXWH_HASH_KEY", TEST_HASH_KEY)
    monkeypatch.setenv("FLEXWH_THREADS", "2")
    monkeypatch.setenv("FLEXWH_MEMORY_LIMIT", "1GB")
    return Settings.from_env()


@pytest.fixture
def orchestration_landing(flexwh_env: Settings) -> Path:
    """The hand-written feeds of tests/fixtures/orchestration/landing, copied to landing."""
    shutil.copytree(FIXTURES / "orchestration" / "landing", flexwh_env.landing_dir)
    return flexwh_env.landing_dir


@pytest.fixture
def users_ingest_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest of the users feed fails as on a full disk; the other feeds load as usual."""
    import ingest.pipeline

    real_ingest_feed = ingest.pipeline.ingest_feed

    def crash_on_users(con, feed, *args, **kwargs):
        if feed == "users":
            raise OSError("No space left on device")
        return real_ingest_feed(con, feed, *args, **kwargs)

    monkeypatch.setattr(ingest.pipeline, "ingest_feed", crash_on_users)
