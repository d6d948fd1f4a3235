"""The baseline of `make bench`: the nightly job's core as plain DuckDB SQL in one process.

    .venv/bin/python -m bench.baseline [--preset bench-10m] [--memory-limit 1GB]

No orchestration, no checks, no audit, no archive: it reads the preset's landing folder
with `read_csv` (one statement per header layout), applies the rules that shape the
numbers (re-delivery per (team, day), one person one user, decimals), builds
fct_daily_usage, then the window marts by running the product's own compiled SQL for them
(`dbt compile`, untimed, before the clock starts: the same marts, none of dbt's start-up),
and writes every team's usage and users CSV with two partitioned COPY statements. What
the product does beyond it (validation, rejections, lineage, user keys by HMAC, the
ledger, the serving database, workbooks, manifests) is the overhead the ratios show.
Prints a JSON line: seconds, peak memory (MB), rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bench.common import BENCH_DATA, END_DATE, ROOT, feeds

DBT = Path(sys.executable).parent / "dbt"
# The window marts and what they read besides the tables built here, in build order.
WINDOW_MODELS = (
    "dim_report_window", "int_window_usage", "rpt_usage_summary", "rpt_usage_by_product",
    "rpt_usage_by_user", "rpt_product_user_usage", "rpt_product_version_users",
    "rpt_user_product_versions", "rpt_user_product_weekly", "rpt_product_token_distribution",
)
# Canonical column <- header cell, per layout folder of the usage feed (feeds.md aliases).
LAYOUTS = {
    "token-usage-legacy": {
        "team": "team_alias", "day": "usage_date", "product": "product_name",
        "version": "product_version", "tokens": "tokens_used", "autodesk_id": "autodesk_id",
        "hashed_id": "hashed_autodesk_id", "email": "email", "first": "first_name",
        "last": "last_name"},
    "token-usage": {
        "team": "Team", "day": "Day used", "product": "Product", "version": "Version",
        "tokens": "Tokens used", "autodesk_id": None, "hashed_id": "Hashed Autodesk ID",
        "email": "Email", "first": "First name", "last": "Last name"},
    "aps-insights": {
        "team": "teamName", "day": "usageDate", "product": "productName",
        "version": "productVersion", "tokens": "tokensConsumed", "autodesk_id": "userId",
        "hashed_id": "hashedUserId", "email": "emailAddress", "first": "firstName",
        "last": "lastName"},
}


def _cell(column: str | None) -> str:
    """A column of one layout as trimmed text; NULL when absent, empty or the mask."""
    if column is None:
        return "null"
    return f"nullif(nullif(trim(\"{column}\"), ''), '*****')"


def _layout_select(landing: Path, folder: str, kind: str) -> str:
    c = LAYOUTS[folder]
    path = (landing / "usage" / folder / kind / "**" / "*.csv").as_posix()
    hashed = _cell(c["hashed_id"]) if kind == "hashed" else "null"
    autodesk = _cell(c["autodesk_id"]) if kind == "named" else "null"
    return f"""
    select {_cell(c['team'])} as team,
        cast(left(trim("{c['day']}"), 10) as date) as day_used,
        {_cell(c['product'])} as product_name,
        coalesce({_cell(c['version'])}, '') as version,
        cast(trim("{c['tokens']}") as decimal(18, 3)) as tokens_used,
        {autodesk} as autodesk_id, {hashed} as hashed_autodesk_id,
        {_cell(c['email'])} as email, {_cell(c['first'])} as first_name,
        {_cell(c['last'])} as last_name, filename
    from read_csv('{path}', all_varchar = true, filename = true, header = true)"""


def build(con: duckdb.DuckDBPyConnection, landing: Path, as_of: str, hash_key: str) -> None:
    """Raw usage and users, fct_daily_usage and what the window marts read besides it."""
    for schema in ("raw", "marts", "intermediate"):
        con.execute(f"create schema if not exists {schema}")
    layouts = " union all ".join(
        _layout_select(landing, folder, kind)
        for folder in LAYOUTS for kind in ("named", "hashed")
        if (landing / "usage" / folder / kind).is_dir())
    con.execute(f"create table raw.usage as {layouts}")
    users = (landing / "users" / "*.csv").as_posix()
    con.execute(f"""
        create table raw.users as
        select nullif(trim(Team), '') as team, nullif(trim("Autodesk ID"), '') as autodesk_id,
            nullif(trim(Email), '') as email, nullif(trim("First name"), '') as first_name,
            nullif(trim("Last name"), '') as last_name, filename
        from read_csv('{users}', all_varchar = true, filename = true, header = true)""")
    settings = (landing / "team_settings" / "*.csv").as_posix()
    con.execute(f"""
        create table raw.team_settings as
        select trim(Team) as team, lower(trim("Personal data")) in ('on', 'true', 'yes')
            as pii_enabled
        from read_csv('{settings}', all_varchar = true, header = true)""")
    # Re-delivery: the latest file with rows for (team, day) owns it. One person, one
    # user: an e-mail of exactly one Autodesk ID of the team takes that ID.
    con.execute(f"""
        create table intermediate.usage_resolved as
        with latest as (
            select *, max(filename) over (partition by team, day_used) as owner
            from raw.usage where day_used <= '{as_of}'),
        links as (
            select team, lower(email) as email, autodesk_id from raw.usage
            where autodesk_id is not null and email is not null
            union select team, lower(email), autodesk_id from raw.users
            where autodesk_id is not null and email is not null),
        email_ids as (
            select team, email, min(autodesk_id) as autodesk_id from links
            group by team, email having count(*) = 1)
        select latest.*, coalesce(latest.autodesk_id, email_ids.autodesk_id,
            'h:' || latest.hashed_autodesk_id, 'e:' || lower(latest.email)) as user_id
        from latest left join email_ids on latest.autodesk_id is null
            and email_ids.team = latest.team and email_ids.email = lower(latest.email)
        where filename = owner""")
    key = hash_key.replace("'", "''")
    con.execute(f"""
        create table marts.fct_daily_usage as
        select team, day_used, left(sha256('{key}' || user_id), 40) as user_key, product_name,
            version, cast(sum(tokens_used) as decimal(18, 3)) as tokens_used
        from intermediate.usage_resolved group by all""")
    con.execute(f"""
        create table intermediate.int_user_identities as
        with people as (
            select team, user_id, arg_max(email, filename) as email,
                arg_max(first_name, filename) as first_name,
                arg_max(last_name, filename) as last_name
            from intermediate.usage_resolved group by team, user_id)
        select people.team, people.user_id, left(sha256('{key}' || people.user_id), 40)
                as user_key,
            coalesce(settings.pii_enabled, false) as pii_enabled,
            case when settings.pii_enabled then coalesce(nullif(trim(coalesce(first_name, '')
                || ' ' || coalesce(last_name, '')), ''), email,
                left(sha256('{key}' || people.user_id), 40))
                else left(sha256('{key}' || people.user_id), 40) end as user_name,
            case when settings.pii_enabled then email else '*****' end as user_email
        from people left join raw.team_settings as settings on settings.team = people.team""")
    con.execute("""
        create table marts.dim_team as
        select team, coalesce(max(pii_enabled), false) as pii_enabled from (
            select team, null::boolean as pii_enabled from raw.usage
            union all select team, null from raw.users
            union all select team, pii_enabled from raw.team_settings) group by team""")


def window_marts(con: duckdb.DuckDBPyConnection, compiled: dict[str, str]) -> None:
    for model in WINDOW_MODELS:
        schema = "intermediate" if model.startswith("int_") else "marts"
        con.execute(f"create table {schema}.{model} as {compiled[model]}")


def team_files(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Every team's usage.csv and users.csv: two partitioned COPY statements."""
    out.mkdir(parents=True)
    con.execute(f"""
        copy (select fct.*, fct.team as team_folder from marts.fct_daily_usage as fct)
        to '{(out / 'usage').as_posix()}' (format csv, header, partition_by (team_folder))""")
    con.execute(f"""
        copy (select team, user_key, user_name, user_email, team as team_folder
              from intermediate.int_user_identities)
        to '{(out / 'users').as_posix()}' (format csv, header, partition_by (team_folder))""")


def compile_window_marts(run: Path, as_of: str) -> dict[str, str]:
    """The compiled SELECT of each window model (dbt compile, before the clock starts)."""
    target = run / "dbt"
    args = [str(DBT), "compile", "--select", *WINDOW_MODELS, "--vars",
            json.dumps({"as_of": as_of}), "--profiles-dir", ".", "--project-dir", ".",
            "--target-path", str(target), "--log-path", str(run / "logs")]
    env = {**os.environ, "FLEXWH_WAREHOUSE": str(run / "compile.duckdb")}
    subprocess.run(args, cwd=ROOT / "dbt_project", env=env, check=True, capture_output=True)
    found = {path.stem: path.read_text() for path in (target / "compiled").rglob("*.sql")}
    # The compiled SQL names the warehouse catalog; here the tables are in this database.
    return {model: found[model].replace('"compile".', "") for model in WINDOW_MODELS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bench-10m")
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--as-of", default=END_DATE.isoformat())
    parser.add_argument("--landing", type=Path, help="default: the preset's landing folder")
    args = parser.parse_args()
    landing = args.landing or feeds(args.preset)
    run = BENCH_DATA / args.preset / "baseline"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    compiled = compile_window_marts(run, args.as_of)
    started = time.perf_counter()
    with duckdb.connect(str(run / "baseline.duckdb"),
                        config={"memory_limit": args.memory_limit}) as con:
        build(con, landing, args.as_of, "bench-hash-key-0123456789")
        window_marts(con, compiled)
        team_files(con, run / "exports")
        [(rows,)] = con.execute("select count(*) from raw.usage").fetchall()
    seconds = time.perf_counter() - started
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps({"seconds": round(seconds, 1), "peak_rss_mb": peak, "usage_rows": rows}))


if __name__ == "__main__":
    main()
