"""The serving database: the marts only, Parquet beside it, replaced whole or not at all."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from exports import serving
from exports.serving import ServingError, publish_serving

CONFIG = {"threads": "2", "memory_limit": "1GB"}
AS_OF = date(2026, 3, 31)
MARTS = ["dim_team", "fct_daily_usage", "rpt_usage_summary"]

WAREHOUSE_SQL = """
create schema raw; create schema staging; create schema intermediate; create schema audit;
create schema marts;
create table raw.usage (team varchar, tokens varchar, _row_number bigint);
insert into raw.usage values ('t1', '1.5', 1);
create table staging.stg_autodesk__usage (team varchar, tokens decimal(18,3));
insert into staging.stg_autodesk__usage values ('t1', 1.5);
create table intermediate.int_usage_deduped (team varchar);
create table audit.ingested_files (path varchar, sha256 varchar);
insert into audit.ingested_files values ('usage/a.csv', 'abc');
create table marts.dim_team (team varchar, pii_enabled boolean, first_usage_day date);
insert into marts.dim_team values ('t1', true, '2026-01-02'), ('t2', false, null);
create table marts.fct_daily_usage (team varchar, day_used date, user_key varchar,
    tokens_used decimal(18,3), seats bigint);
insert into marts.fct_daily_usage values ('t1', '2026-03-30', 'u1', 12.345, 3),
    ('t1', '2026-03-31', 'u2', 0.001, 1), ('t2', '2026-03-31', 'u3', 100, 2);
create table marts.rpt_usage_summary (window_key varchar, as_of_date date,
    avg_tokens decimal(38,6), measured_at timestamp);
insert into marts.rpt_usage_summary values ('last_30', '2026-03-31', 4.5, '2026-04-01 02:00');
"""


def run_sql(path: Path, sql: str, read_only: bool = False) -> list[tuple]:
    with duckdb.connect(str(path), read_only=read_only) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    run_sql(path, WAREHOUSE_SQL)
    return path


def publish(warehouse: Path, serving_dir: Path, run_id: str = "run-1"):
    return publish_serving(warehouse, serving_dir, duckdb_config=CONFIG, run_id=run_id,
                           as_of=AS_OF)


def columns(path: Path, schema: str) -> list[tuple]:
    return run_sql(path, "select table_name, column_name, data_type, ordinal_position "
                         f"from information_schema.columns where table_schema = '{schema}' "
                         "and table_name <> 'serving_info' order by all", read_only=True)


def test_the_marts_are_copied_with_their_rows_and_column_types(warehouse, tmp_path):
    serving_dir = tmp_path / "serving"
    result = publish(warehouse, serving_dir)

    db = serving_dir / "flex_reporting.duckdb"
    assert result.database == db
    assert result.tables == {"dim_team": 2, "fct_daily_usage": 3, "rpt_usage_summary": 1}
    assert columns(db, "main") == columns(warehouse, "marts")
    for table in MARTS:
        assert (run_sql(db, f"select * from {table} order by all", read_only=True)
                == run_sql(warehouse, f"select * from marts.{table} order by all",
                           read_only=True))
    [(as_of, run_id, published_at)] = run_sql(db, "select * from serving_info", True)
    assert (as_of, run_id) == (AS_OF, "run-1")
    now = datetime.now(UTC).replace(tzinfo=None)
    assert now - timedelta(minutes=1) < published_at <= now  # naive UTC, as documented
    assert published_at == result.published_at


def test_no_raw_staging_intermediate_or_audit_table_leaks(warehouse, tmp_path):
    publish(warehouse, tmp_path / "serving")

    tables = run_sql(tmp_path / "serving" / "flex_reporting.duckdb",
                     "select table_catalog, table_schema, table_name "
                     "from information_schema.tables order by all", read_only=True)
    assert tables == [("flex_reporting", "main", name) for name in [*MARTS, "serving_info"]]


def test_each_mart_is_also_a_parquet_file_with_the_same_rows(warehouse, tmp_path):
    result = publish(warehouse, tmp_path / "serving")

    parquet_dir = tmp_path / "serving" / "parquet"
    assert sorted(p.name for p in parquet_dir.iterdir()) == [f"{t}.parquet" for t in MARTS]
    assert result.parquet == {t: parquet_dir / f"{t}.parquet" for t in MARTS}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in MARTS:
            source = f"read_parquet('{parquet_dir / f'{table}.parquet'}')"
            assert (con.execute(f"describe select * from {source}").fetchall()
                    == con.execute(f"describe select * from marts.{table}").fetchall())
            assert (con.execute(f"select * from {source} order by all").fetchall()
                    == con.execute(f"select * from marts.{table} order by all").fetchall())


def test_a_second_publish_replaces_the_data_and_removes_parquet_of_dropped_marts(
    warehouse, tmp_path
):
    serving_dir = tmp_path / "serving"
    publish(warehouse, serving_dir)
    run_sql(warehouse, "drop table marts.rpt_usage_summary; "
                       "insert into marts.dim_team values ('t3', true, '2026-03-01')")

    result = publish(warehouse, serving_dir, run_id="run-2")

    db = serving_dir / "flex_reporting.duckdb"
    assert run_sql(db, "select count(*) from dim_team", True) == [(3,)]
    assert run_sql(db, "select run_id from serving_info", True) == [("run-2",)]
    assert result.removed_parquet == ("rpt_usage_summary.parquet",)
    assert sorted(p.name for p in (serving_dir / "parquet").iterdir()) == [
        "dim_team.parquet", "fct_daily_usage.parquet"]
    assert sorted(p.name for p in serving_dir.iterdir()) == ["flex_reporting.duckdb", "parquet"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failure_mid_copy_leaves_the_previous_files_and_no_temp_file(
    warehouse, tmp_path, monkeypatch
):
    serving_dir = tmp_path / "serving"
    publish(warehouse, serving_dir)
    before = snapshot(serving_dir)
    run_sql(warehouse, "delete from marts.dim_team")
    copy_table = serving._copy_table
    copied = []

    def fail_after_first(con, name):
        if copied:
            raise OSError("No space left on device\nsecond line")
        copied.append(name)
        copy_table(con, name)

    monkeypatch.setattr(serving, "_copy_table", fail_after_first)
    with pytest.raises(ServingError) as failure:
        publish(warehouse, serving_dir, run_id="run-2")

    assert str(failure.value) == "serving: OSError: No space left on device"
    assert copied == ["dim_team"]
    assert snapshot(serving_dir) == before  # same names, byte for byte: no temp file left


def test_a_failure_writing_parquet_leaves_the_previous_files_too(
    warehouse, tmp_path, monkeypatch
):
    serving_dir = tmp_path / "serving"
    publish(warehouse, serving_dir)
    before = snapshot(serving_dir)
    write_parquet = serving._write_parquet

    def fail_on_last(con, name, path):
        write_parquet(con, name, path)  # the temp file exists when the failure comes
        if name == MARTS[-1]:
            raise RuntimeError("disk quota exceeded")

    monkeypatch.setattr(serving, "_write_parquet", fail_on_last)
    with pytest.raises(ServingError, match="disk quota exceeded"):
        publish(warehouse, serving_dir, run_id="run-2")

    assert snapshot(serving_dir) == before


def test_a_missing_warehouse_is_one_clear_line(tmp_path):
    with pytest.raises(ServingError, match=r"^serving: warehouse .*nowhere.duckdb does not "
                                           r"exist$"):
        publish(tmp_path / "nowhere.duckdb", tmp_path / "serving")
    assert not (tmp_path / "serving" / "flex_reporting.duckdb").exists()


def test_a_warehouse_without_marts_does_not_empty_the_serving_database(warehouse, tmp_path):
    serving_dir = tmp_path / "serving"
    publish(warehouse, serving_dir)
    before = snapshot(serving_dir)
    run_sql(warehouse, "drop schema marts cascade")

    with pytest.raises(ServingError, match="^serving: the warehouse has no table in schema "
                                           "marts$"):
        publish(warehouse, serving_dir, run_id="run-2")
    assert snapshot(serving_dir) == before


# A reader in its own process, as a BI tool would be: opens the serving file read-only
# again and again and checks that everything it sees belongs to one version.
READER = """
import json, os, sys, duckdb
path, stop = sys.argv[1], sys.argv[2]
scales = {t: int(n) for t, n in (item.split(":") for item in sys.argv[3].split(","))}
opens, seen, problems = 0, set(), []
print("ready", flush=True)
while not os.path.exists(stop):
    try:
        with duckdb.connect(path, read_only=True) as con:
            [(run_id,)] = con.execute("select run_id from serving_info").fetchall()
            version = int(run_id.removeprefix("v"))
            names = sorted(n for (n,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_name <> 'serving_info'").fetchall())
            if names != sorted(scales):
                problems.append(f"v{version}: tables {names}")
            for table, scale in scales.items():
                row = con.execute(f"select count(*), min(version), max(version) from {table}"
                                  ).fetchall()[0]
                if row != (version * scale, version, version):
                    problems.append(f"v{version}: {table} has {row}")
        opens += 1
        seen.add(version)
    except Exception as error:
        problems.append(f"{type(error).__name__}: {error}")
print(json.dumps({"opens": opens, "versions": sorted(seen), "problems": problems[:5]}))
"""


SCALES = {"dim_team": 1, "fct_daily_usage": 1000, "rpt_usage_summary": 1}


def write_version(warehouse: Path, version: int) -> None:
    """Version k: every mart has k rows times its scale, all saying k."""
    with duckdb.connect(str(warehouse)) as con:
        for table, scale in SCALES.items():
            con.execute(f"create or replace table marts.{table} as select {version} as version,"
                        f" i, 'team ' || i as team from range({version * scale}) t(i)")


def test_a_reader_always_sees_one_whole_version_while_publications_replace_it(tmp_path):
    warehouse, serving_dir = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    run_sql(warehouse, "create schema marts")
    write_version(warehouse, 1)
    publish(warehouse, serving_dir, run_id="v1")
    stop = tmp_path / "stop"
    scales = ",".join(f"{table}:{scale}" for table, scale in SCALES.items())
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving_dir / "flex_reporting.duckdb"), str(stop),
         scales], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "ready"
        for version in range(2, 31):
            write_version(warehouse, version)
            publish(warehouse, serving_dir, run_id=f"v{version}")
        stop.touch()
        report = json.loads(reader.communicate(timeout=60)[0])
    finally:
        reader.kill()
        reader.wait()

    assert report["problems"] == []
    assert report["opens"] >= 30
    assert len(report["versions"]) >= 5  # the reader really overlapped the publications
    assert sorted(p.name for p in serving_dir.iterdir()) == ["flex_reporting.duckdb", "parquet"]


def test_the_same_marts_in_another_row_order_give_byte_identical_parquet(tmp_path):
    # dbt's parallel aggregates store a mart's rows in a different order from run to run.
    parquet = []
    for order in ("asc", "desc"):
        warehouse = tmp_path / f"{order}.duckdb"
        run_sql(warehouse, f"""create schema marts;
            create table marts.fct_daily_usage as
            select 't' || (i % 7) as team, date '2026-01-01' + (i % 300)::int as day_used,
                   'u' || i as user_key, (i % 1000) / 8 :: decimal(18,3) as tokens_used
            from range(50000) as r(i) order by i {order}""")
        publish(warehouse, tmp_path / f"serving-{order}")
        parquet.append((tmp_path / f"serving-{order}" / "parquet" /
                        "fct_daily_usage.parquet").read_bytes())

    assert parquet[0] == parquet[1]


def test_dbt_descriptions_become_comments_of_the_marts_and_their_columns(warehouse, tmp_path):
    from exports.serving import TableDescription

    descriptions = {
        "dim_team": TableDescription("One row per team; it's the team list.",
                                     {"team": "The team.", "gone": "no such column"}),
        "fct_daily_usage": TableDescription("", {"tokens_used": "Tokens, DECIMAL(18,3)."}),
    }
    publish_serving(warehouse, tmp_path / "serving", duckdb_config=CONFIG, run_id="r",
                    as_of=AS_OF, descriptions=descriptions)
    served = tmp_path / "serving" / "flex_reporting.duckdb"
    assert run_sql(served, "select table_name, comment from duckdb_tables() where "
                           "table_name in ('dim_team', 'fct_daily_usage', 'rpt_usage_summary')"
                           " order by 1", read_only=True) == [
        ("dim_team", "One row per team; it's the team list."), ("fct_daily_usage", None),
        ("rpt_usage_summary", None)]
    assert run_sql(served, "select table_name, column_name from duckdb_columns() where "
                           "comment is not null order by 1, 2", read_only=True) == [
        ("dim_team", "team"), ("fct_daily_usage", "tokens_used")]
