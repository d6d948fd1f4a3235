"""Session set-up shared by every test, and an isolated flexwh environment per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from filelock import FileLock

from core.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = "2026-03-31"
TEST_HASH_KEY = "test-hash-key-0123456789abcdef"


# Fixtures that build dbt models: a test using one belongs to the slow tier.
DBT_BUILD_FIXTURES = {"dbt_build"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fast tier stays fast: a test that builds dbt models must be marked slow."""
    unmarked = [item.nodeid for item in items
                if DBT_BUILD_FIXTURES & set(getattr(item, "fixturenames", ()))
                and item.get_closest_marker("slow") is None]
    if unmarked:
        raise pytest.UsageError("builds dbt models but is not marked slow: "
                                + ", ".join(unmarked[:5]))


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """`dbt parse` once per test run: @dbt_assets reads manifest.json when imported.

    Always parsed, never reused from an earlier run, so tests see the models as they are
    now. Under pytest-xdist every worker runs session fixtures: the first parses, the
    others wait on the lock and find the run's mark.
    """
    from orchestration.project import dbt_project, parse_project

    target = dbt_project.manifest_path.parent
    target.mkdir(parents=True, exist_ok=True)
    mark = target / "parsed-by-test-run"
    this_run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    with FileLock(target / "parsed-by-test-run.lock"):
        if not (mark.exists() and mark.read_text(encoding="utf-8") == this_run):
            parse_project()
            mark.write_text(this_run, encoding="utf-8")
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
