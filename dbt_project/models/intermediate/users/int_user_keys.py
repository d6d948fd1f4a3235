"""int_user_keys: one row per user_id of the loaded usage rows and the users feed, with its
user_key = HMAC-SHA256(hash key, user_id), first 40 hex characters (metrics.md).

A Python model so that the key is read when the model runs, inside the dbt process
(flexwh.user_keys.hash_key_in_dbt), and never appears in a SQL template, the manifest,
compiled code, logs or run results. dbt.ref() gives DuckDB relations; the model returns an
Arrow table, which dbt-duckdb writes as the table.
"""

import pyarrow as pa

from flexwh.user_keys import hash_key_in_dbt, user_keys

SCHEMA = pa.schema([("user_id", pa.string()), ("user_key", pa.string())])


def model(dbt, session):
    dbt.config(materialized="table")

    # Every loaded usage row, replaced ones included: int_user_identities has a row for
    # each user of them (names are read from those rows too).
    usage = dbt.ref("base_autodesk__usage").project("user_id")
    users = dbt.ref("stg_autodesk__users").project("user_id")
    distinct_ids = usage.union(users).distinct().filter("user_id is not null").order("user_id")
    user_ids = [user_id for (user_id,) in distinct_ids.fetchall()]

    return pa.table([user_ids, user_keys(hash_key_in_dbt(), user_ids)], schema=SCHEMA)
