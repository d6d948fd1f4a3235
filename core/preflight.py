"""Checks made before a run writes anything, each failing with one line naming the setting.

Settings.from_env refuses values that cannot be parsed; these look at the machine and the
warehouse: folders that cannot be used, and a hash key that is not the one the warehouse's
user keys were made with (a run with another key would silently re-key every user).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from core.permissions import private_umask, tighten
from core.settings import Settings, SettingsError
from core.user_keys import user_key

# A user_id and its user_key held by the warehouse: what the configured key must give.
WITNESS = "select user_id, user_key from intermediate.int_user_keys order by user_id limit 1"


def check_folders(settings: Settings) -> None:
    """The data folder can be written, the landing folder exists, no folder is a file;
    what holds personal data is made private (core/permissions.py)."""
    private_umask()
    _writable_folder(settings.data_dir, "FLEXWH_DATA_DIR")
    landing = settings.landing_dir
    if not landing.is_dir():
        what = "is not a folder" if landing.exists() else "does not exist"
        raise SettingsError(
            f"FLEXWH_LANDING_DIR: {landing} {what}: create it and put the Autodesk export "
            "files in its feed folders (usage/, subscriptions/, users/, ...), or run "
            "`flexwh demo`")
    for name, path in (("FLEXWH_WAREHOUSE", settings.warehouse.parent),
                       ("FLEXWH_SERVING_DIR", settings.serving_dir),
                       ("FLEXWH_EXPORT_DIR", settings.export_dir)):
        if path.exists() and not path.is_dir():
            raise SettingsError(f"{name}: {path} is not a folder")
    if settings.warehouse.is_dir():
        raise SettingsError(f"FLEXWH_WAREHOUSE: {settings.warehouse} is a folder, not a file")
    tighten(settings)


def _writable_folder(folder: Path, name: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise SettingsError(f"{name}: the folder {folder} cannot be written: "
                            f"{error.strerror or error}") from None


def check_hash_key(settings: Settings, rotate: bool = False) -> None:
    """The configured key gives the user keys the warehouse holds; a new key is made only
    for a warehouse that holds none. `rotate` accepts another key (the run re-keys)."""
    witness = _witness(settings)
    if witness is None:
        settings.hash_key()  # read, or created with a warning on first use
        return
    source = "FLEXWH_HASH_KEY" if settings.hash_key_env else str(settings.hash_key_file)
    if settings.hash_key_env is None and not settings.hash_key_file.exists():
        raise SettingsError(
            f"FLEXWH_HASH_KEY is not set and {settings.hash_key_file} does not exist, but the "
            "warehouse holds user keys made with a key: set FLEXWH_HASH_KEY to that key or "
            "restore the key file (`flexwh run --rotate-hash-key` re-keys every user with a "
            "new one)")
    if user_key(settings.hash_key(), witness[0]) != witness[1] and not rotate:
        raise SettingsError(
            f"{source}: not the key the warehouse's user keys were made with; configure that "
            "key, or run `flexwh run --rotate-hash-key` to re-key every user (user keys in "
            "marts and hashed exports change)")


def _witness(settings: Settings) -> tuple[str, str] | None:
    if not settings.warehouse.is_file():
        return None
    con = duckdb.connect(str(settings.warehouse), read_only=True,
                         config=settings.duckdb_config())
    try:
        if not con.execute("select 1 from duckdb_tables() where schema_name = 'intermediate' "
                           "and table_name = 'int_user_keys'").fetchall():
            return None
        rows = con.execute(WITNESS).fetchall()
    finally:
        con.close()
    return rows[0] if rows else None
