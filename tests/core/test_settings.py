"""Settings of operations.md: defaults, derived paths, and the hash key's handling."""

from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from core.settings import Settings, SettingsError


def test_defaults_derive_from_the_data_folder():
    settings = Settings.from_env({})

    assert settings.data_dir == Path("data")
    assert settings.landing_dir == Path("data/landing")
    assert settings.warehouse == Path("data/warehouse.duckdb")
    assert settings.serving_dir == Path("data/serving")
    assert settings.export_dir == Path("data/exports")
    assert settings.as_of == datetime.now(UTC).date() - timedelta(days=1)
    assert settings.export_retention_days == 14
    assert settings.memory_limit == "4GB"
    assert settings.threads == os.cpu_count()


def test_each_variable_overrides_its_default():
    settings = Settings.from_env({
        "FLEXWH_DATA_DIR": "/srv/flex", "FLEXWH_LANDING_DIR": "/in", "FLEXWH_WAREHOUSE": "/w.db",
        "FLEXWH_SERVING_DIR": "/out", "FLEXWH_EXPORT_DIR": "/exp", "FLEXWH_AS_OF": "2026-03-31",
        "FLEXWH_EXPORT_RETENTION_DAYS": "30", "FLEXWH_MEMORY_LIMIT": "1GB", "FLEXWH_THREADS": "3",
    })

    assert (settings.landing_dir, settings.warehouse, settings.serving_dir,
            settings.export_dir) == (Path("/in"), Path("/w.db"), Path("/out"), Path("/exp"))
    assert settings.as_of == date(2026, 3, 31)
    assert (settings.export_retention_days, settings.memory_limit, settings.threads) == (
        30, "1GB", 3)
    assert settings.archive_dir == Path("/srv/flex/archive")


@pytest.mark.parametrize(("name", "value"), [
    ("FLEXWH_AS_OF", "31/03/2026"), ("FLEXWH_THREADS", "two"), ("FLEXWH_THREADS", "0"),
])
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_hash_key_from_the_environment_writes_no_file(tmp_path):
    key = "configured-key-0123"
    settings = Settings.from_env({"FLEXWH_DATA_DIR": str(tmp_path), "FLEXWH_HASH_KEY": key})

    assert settings.hash_key() == key
    assert not (tmp_path / ".hash_key").exists()


def test_hash_key_file_is_created_once_private_and_never_logged(tmp_path, caplog):
    settings = Settings.from_env({"FLEXWH_DATA_DIR": str(tmp_path)})

    with caplog.at_level(logging.WARNING):
        first = settings.hash_key()
    second = Settings.from_env({"FLEXWH_DATA_DIR": str(tmp_path)}).hash_key()

    key_file = tmp_path / ".hash_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) == 64 and int(first, 16) >= 0  # 32 random bytes as hex
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "hash key" in caplog.text and first not in caplog.text
    assert len(caplog.records) == 1  # warned on creation only


def test_a_short_hash_key_is_refused_when_the_settings_are_read(tmp_path):
    # Before any step runs (it used to be refused only when dbt hashed the first user).
    with pytest.raises(SettingsError, match="FLEXWH_HASH_KEY: .* at least 16 characters"):
        Settings.from_env({"FLEXWH_DATA_DIR": str(tmp_path), "FLEXWH_HASH_KEY": "k"})


def test_a_short_key_file_is_refused_naming_the_file(tmp_path):
    (tmp_path / ".hash_key").write_text("short\n")
    settings = Settings.from_env({"FLEXWH_DATA_DIR": str(tmp_path)})

    with pytest.raises(SettingsError, match=r"\.hash_key: .* at least 16 characters"):
        settings.hash_key()


@pytest.mark.parametrize("value", ["4GB", "1500MB", "1.5 GB", "4GiB", "500M", "80%", "1 TB"])
def test_memory_limits_duckdb_reads(value):
    assert Settings.from_env({"FLEXWH_MEMORY_LIMIT": value}).memory_limit == value


@pytest.mark.parametrize(("value", "problem"), [
    ("lots", "not a memory size"), ("4", "not a memory size"), ("-1GB", "not a memory size"),
    ("0GB", "out of range"), ("99MB", "out of range"), ("150%", "out of range"),
])
def test_memory_limits_duckdb_cannot_use_are_refused_naming_the_variable(value, problem):
    with pytest.raises(SettingsError, match=f"FLEXWH_MEMORY_LIMIT: {problem}"):
        Settings.from_env({"FLEXWH_MEMORY_LIMIT": value})


def test_a_data_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "data").write_text("")

    with pytest.raises(SettingsError, match="FLEXWH_DATA_DIR: not a folder"):
        Settings.from_env({"FLEXWH_DATA_DIR": str(tmp_path / "data")})
