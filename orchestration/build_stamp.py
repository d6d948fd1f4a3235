"""The inputs of the dbt build as one fingerprint, so a run with nothing new rebuilds
nothing: the files loaded, as_of, the code that builds the models and the serving
database (dbt project, ledger engine, user keys, exports/serving.py, DuckDB's version)
and the hash key (as an HMAC of a constant: the key never leaves).

The dbt step records the stamp after a successful build, the publish step after a
successful publication of the serving database; a step whose stamp is recorded already
has nothing new to do (docs/incremental.md, "A run with nothing new").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
# What the build runs: every file of these, in name order.
CODE = ("dbt_project/models", "dbt_project/macros", "dbt_project/tests",
        "dbt_project/dbt_project.yml", "dbt_project/profiles.yml", "ledger",
        "core/user_keys.py", "exports/serving.py")
STAMPS = "audit.build_stamps"
DBT_STEP, SERVING_STEP = "dbt_build", "serving_database"
LOADED_FILES = """
select count(*), coalesce(max(file_seq), 0) from audit.ingested_files where status = 'loaded'
"""


@cache
def code_digest(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in CODE:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    # A DuckDB release may write the tables and the serving database otherwise.
    digest.update(duckdb.__version__.encode())
    return digest.hexdigest()


def current_stamp(con: duckdb.DuckDBPyConnection, as_of: str, hash_key: str,
                  settings: tuple[tuple[str, str], ...] = ()) -> str:
    """The fingerprint of what a dbt build as of `as_of` would read now; `settings` are the
    other values the models read (the alert thresholds)."""
    [(files, last_file)] = con.execute(LOADED_FILES).fetchall()
    key = hmac.new(hash_key.encode(), b"flexwh build stamp", hashlib.sha256).hexdigest()
    document = {"files": [int(files), int(last_file)], "as_of": as_of,
                "code": code_digest(), "key": key, "settings": list(settings)}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def recorded_stamp(con: duckdb.DuckDBPyConnection, step: str) -> str | None:
    """The stamp `step` recorded after its last success; None if none."""
    exists = con.execute("select count(*) from duckdb_tables() where database_name = "
                         "current_database() and schema_name = 'audit' and table_name = "
                         "'build_stamps'").fetchall()[0][0]
    if not exists:
        return None
    rows = con.execute(f"select stamp from {STAMPS} where step = ?", [step]).fetchall()
    return rows[0][0] if rows else None


def record_stamp(con: duckdb.DuckDBPyConnection, step: str, stamp: str, run_id: str) -> None:
    con.execute(f"create table if not exists {STAMPS} "
                "(step varchar, stamp varchar, run_id varchar, recorded_at timestamp)")
    con.execute(f"delete from {STAMPS} where step = ?", [step])
    con.execute(f"insert into {STAMPS} values (?, ?, ?, current_timestamp)",
                [step, stamp, run_id])


def forget_stamp(con: duckdb.DuckDBPyConnection, step: str) -> None:
    """Before a step rewrites its output: a failure half-way must not look finished."""
    if recorded_stamp(con, step) is not None:
        con.execute(f"delete from {STAMPS} where step = ?", [step])
