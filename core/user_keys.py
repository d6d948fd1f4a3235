"""User keys (metrics.md): the only user identifier of the marts, HMAC of the user_id.

The dbt Python model `int_user_keys` imports this module and reads the key when it runs,
so the key is never part of a SQL template, the manifest, compiled code or run results.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping

from core.settings import Settings

# How the orchestration hands the key to the dbt process (orchestration/resources.py):
# dbt scrubs the values of DBT_ENV_SECRET_* variables from its logs and refuses to read
# them through env_var() outside profiles.yml, so no model or macro can render the key.
DBT_SECRET_HASH_KEY = "DBT_ENV_SECRET_FLEXWH_HASH_KEY"

# Where a hand-run dbt (cwd dbt_project/) finds the data folder, as in profiles.yml.
DBT_DEFAULT_DATA_DIR = "../data"

USER_KEY_LENGTH = 40


def user_key(key: str, user_id: str) -> str:
    """First 40 lower-case hex characters of HMAC-SHA256(key, user_id), both UTF-8.

    The key is used as text exactly as configured (a hex-looking key is not decoded).
    """
    digest = hmac.new(key.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:USER_KEY_LENGTH]


def user_keys(key: str, user_ids: Iterable[str]) -> list[str]:
    """user_key of each user_id, in order."""
    return [user_key(key, user_id) for user_id in user_ids]


def hash_key_in_dbt(env: Mapping[str, str] | None = None) -> str:
    """The configured secret, as seen from the dbt process.

    The orchestration passes FLEXWH_HASH_KEY as DBT_ENV_SECRET_FLEXWH_HASH_KEY, and an
    absolute FLEXWH_DATA_DIR for the key file; a hand-run dbt may have FLEXWH_HASH_KEY
    itself. Without FLEXWH_DATA_DIR the data folder is `../data`, as in profiles.yml.
    Then `Settings.hash_key()`: the variable, else the key file (created once).
    """
    env = dict(os.environ if env is None else env)
    if env.get(DBT_SECRET_HASH_KEY):
        env["FLEXWH_HASH_KEY"] = env[DBT_SECRET_HASH_KEY]
    if not env.get("FLEXWH_DATA_DIR"):
        env["FLEXWH_DATA_DIR"] = DBT_DEFAULT_DATA_DIR
    return Settings.from_env(env).hash_key()
