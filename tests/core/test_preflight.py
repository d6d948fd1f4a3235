"""Settings and folders checked before any step runs (issue 10): exit 2 and one line naming
the setting; a hash key other than the warehouse's is refused unless asked for."""

from __future__ import annotations

import hashlib
import hmac
import stat
import sys
from pathlib import Path

import duckdb
import pytest

from core.preflight import check_folders, check_hash_key
from core.settings import Settings, SettingsError
from flexwh.cli import main
from tests.privileges import without_dac_override

FLEXWH = Path(sys.executable).parent / "flexwh"
KEY = "the-warehouse-key-0123"


def _warehouse_keyed_with(settings: Settings, key: str) -> None:
    """A warehouse holding user keys made with `key` (HMAC computed here, metrics.md)."""
    def user_key(user_id: str) -> str:
        return hmac.new(key.encode(), user_id.encode(), hashlib.sha256).hexdigest()[:40]

    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema intermediate; create table intermediate.int_user_keys "
                    "(user_id varchar, user_key varchar)")
        con.execute("insert into intermediate.int_user_keys values (?, ?), (?, ?)",
                    ["ADSK-0001", user_key("ADSK-0001"), "ADSK-0002", user_key("ADSK-0002")])


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"FLEXWH_DATA_DIR": str(tmp_path / "data"), **env})


def test_the_warehouses_key_passes_another_is_refused_unless_rotating(tmp_path):
    _warehouse_keyed_with(_settings(tmp_path), KEY)

    check_hash_key(_settings(tmp_path, FLEXWH_HASH_KEY=KEY))
    other = _settings(tmp_path, FLEXWH_HASH_KEY="another-key-0123456")
    with pytest.raises(SettingsError, match="^FLEXWH_HASH_KEY: not the key the warehouse's "
                                            "user keys were made with"):
        check_hash_key(other)
    check_hash_key(other, rotate=True)


def test_a_key_file_with_another_key_is_refused_naming_the_file(tmp_path):
    settings = _settings(tmp_path)
    _warehouse_keyed_with(settings, KEY)
    settings.hash_key_file.write_text("a-key-from-another-warehouse\n")

    with pytest.raises(SettingsError, match=r"/data/\.hash_key: not the key"):
        check_hash_key(settings)


def test_no_key_anywhere_on_a_keyed_warehouse_is_refused_and_no_key_file_made(tmp_path):
    settings = _settings(tmp_path)
    _warehouse_keyed_with(settings, KEY)

    with pytest.raises(SettingsError, match="FLEXWH_HASH_KEY is not set and .*hash_key does "
                                            "not exist"):
        check_hash_key(settings)
    assert not settings.hash_key_file.exists()


def test_a_fresh_warehouse_gets_a_key_file(tmp_path):
    settings = _settings(tmp_path)

    check_hash_key(settings)

    assert len(settings.hash_key_file.read_text()) == 64


def test_a_missing_landing_folder_stops_the_run_naming_the_setting(flexwh_env, capsys):
    assert main(["run"]) == 2

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"flexwh run: FLEXWH_LANDING_DIR: {flexwh_env.landing_dir} does "
                           "not exist: create it")
    assert not flexwh_env.landing_dir.exists()  # not created silently
    assert not flexwh_env.warehouse.exists()


def test_a_warehouse_path_that_is_a_folder_is_refused(tmp_path):
    settings = _settings(tmp_path)
    settings.landing_dir.mkdir(parents=True)
    settings.warehouse.mkdir()

    with pytest.raises(SettingsError, match="FLEXWH_WAREHOUSE: .* is a folder"):
        check_folders(settings)


def test_a_data_folder_naming_a_file_is_one_line_for_every_command(tmp_path, monkeypatch,
                                                                     capsys):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("FLEXWH_DATA_DIR", str(tmp_path / "file"))

    for command in (["run"], ["status"], ["export", "--team", "A"]):
        assert main(command) == 2
        [line] = capsys.readouterr().err.splitlines()
        assert line == f"flexwh {command[0]}: FLEXWH_DATA_DIR: not a folder: {tmp_path}/file"


def test_a_read_only_data_folder_stops_run_and_lets_status_read(flexwh_env, tmp_path):
    data = flexwh_env.data_dir
    (data / "landing").mkdir(parents=True)
    data.chmod(0o555)
    try:
        run = without_dac_override([str(FLEXWH), "run"], timeout=120)
        status = without_dac_override([str(FLEXWH), "status"], timeout=120)
    finally:
        data.chmod(0o755)

    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"flexwh run: FLEXWH_DATA_DIR: the folder {data} cannot be written: Permission denied"]
    assert (status.returncode, status.stderr) == (0, "")
    assert status.stdout.startswith("no warehouse yet")


def test_a_warehouse_and_archive_of_an_earlier_version_lose_world_access(tmp_path):
    settings = _settings(tmp_path)
    settings.landing_dir.mkdir(parents=True)
    (settings.archive_dir / "usage").mkdir(parents=True)
    archived = settings.archive_dir / "usage" / "abc.csv"
    for path, mode in ((settings.warehouse, 0o644), (archived, 0o644)):
        path.write_text("")
        path.chmod(mode)
    for folder in (settings.data_dir, settings.archive_dir, settings.archive_dir / "usage"):
        folder.chmod(0o755)

    check_folders(settings)

    modes = [stat.S_IMODE(p.stat().st_mode) for p in (
        settings.data_dir, settings.archive_dir, settings.archive_dir / "usage",
        settings.warehouse, archived)]
    assert modes == [0o750, 0o750, 0o750, 0o640, 0o640]
