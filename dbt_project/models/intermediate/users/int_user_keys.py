"""int_user_keys: one row per delivered user_id of the loaded usage rows and the users feed
(every resolved user_id is one of them: an Autodesk ID an e-mail resolves to was delivered
with it), with its user_key = HMAC-SHA256(hash key, user_id), first 40 hex characters
(metrics.md).

A Python model so that the key is read when the model runs, inside the dbt process
(core.user_keys.hash_key_in_dbt), and never appears in a SQL template, the manifest,
compiled code, logs or run results. dbt.ref() gives DuckDB relations; the model returns an
Arrow table, which dbt-duckdb writes as the table.

Incremental (docs/incremental.md): a run hashes only user_ids it does not hold yet, taken
from the usage rows of files after its watermark (audit.dbt_incremental_state, recorded by
its post-hook) and from the users feed. When the configured key is not the one the held
keys were made with (checked on the held row with the smallest user_id), every user_id is
hashed again and replaces its row: a rotated key leaves no stale key behind.
"""

import pyarrow as pa

from core.user_keys import hash_key_in_dbt, user_key, user_keys

SCHEMA = pa.schema([("user_id", pa.string()), ("user_key", pa.string())])
STATE = "audit.dbt_incremental_state"


def _watermark(dbt, session) -> int | None:
    """The greatest usage _file_seq already hashed, or None (then every row is read)."""
    # fetchall: DuckDB 2.0 keeps a half-read result open on the connection (STACK.md).
    [(found,)] = session.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
        "and table_name = ?",
        [dbt.this.database, *STATE.split(".")],
    ).fetchall()
    if not found:
        return None
    [(watermark,)] = session.execute(
        f'select max(file_seq) from "{dbt.this.database}".{STATE} where model_name = ?',
        [dbt.this.identifier],
    ).fetchall()
    return watermark


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="replace_keys",
               unique_key="user_id", on_schema_change="fail")
    key = hash_key_in_dbt()

    # Every loaded usage row, replaced ones included: int_user_identities has a row for
    # each user of them (names are read from those rows too).
    usage = dbt.ref("base_autodesk__usage")
    users = dbt.ref("stg_autodesk__users").project("delivered_user_id")
    held = None
    if dbt.is_incremental:
        held = session.sql(f"select user_id, user_key from {dbt.this}")
        first = held.order("user_id").limit(1).fetchall()
        if first and user_key(key, first[0][0]) != first[0][1]:
            held = None  # another key: hash every user_id again
        else:
            watermark = _watermark(dbt, session)
            if watermark is not None:
                usage = usage.filter(f"_file_seq > {int(watermark)}")

    ids = (usage.project("delivered_user_id").union(users).distinct()
           .filter("delivered_user_id is not null"))
    if held is not None:
        ids = ids.except_(held.project("user_id"))
    user_ids = [user_id for (user_id,) in ids.order("delivered_user_id").fetchall()]

    return pa.table([user_ids, user_keys(key, user_ids)], schema=SCHEMA)
