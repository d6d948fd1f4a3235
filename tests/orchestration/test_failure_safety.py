"""Failure safety of `flexwh run` (operations.md exit codes, exports.md "Safety",
warehouse.md "Two databases"), for real: DuckDB files, dbt, files on disk, SIGKILL.

One successful run on the fixture feeds (tests/fixtures/orchestration/landing, as of
2026-03-31; exit 3 because of the one `abc` row) is made once per module; each test works
on its own copy of that data folder. The next delivery, worked out by hand:

- 2026-04-usage.csv row 2: Acme, 2026-04-01, Revit 2026, 11 tokens, U1: loaded; it is the
  only usage on 2026-04-01, so fct_daily_usage gains exactly (Acme, 2026-04-01, Revit,
  2026, 11) and Acme's export gets the CSV line `Acme,2026-04-01,Revit,2026,11,U1,...`.
- row 3: Beta, -3 tokens: rejected by ingest (a negative amount).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flexwh.cli import main
from tests.conftest import AS_OF, FIXTURES, TEST_HASH_KEY

pytestmark = pytest.mark.slow  # runs the nightly job: not in make test-fast

REPO = Path(__file__).resolve().parents[2]
NEXT_AS_OF = "2026-04-01"
NEXT_DELIVERY = (
    "team,day_used,product_name,version,tokens_used,autodesk_id,email\n"
    "Acme,2026-04-01,Revit,2026,11,U1,\n"
    "Beta,2026-04-01,AutoCAD,2025,-3,,bob@beta.example\n"
)
TEAMS = ("acme", "beta")
KILL_TIMEOUT = 300  # seconds to reach the kill point before the test gives up


# --- environment and runs ---------------------------------------------------------------

def flexwh_environ(data_dir: Path) -> dict[str, str]:
    """os.environ without FLEXWH_* / DAGSTER_HOME, plus the test settings for data_dir."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FLEXWH_") and k != "DAGSTER_HOME"}
    env.update(FLEXWH_DATA_DIR=str(data_dir), FLEXWH_AS_OF=AS_OF, FLEXWH_HASH_KEY=TEST_HASH_KEY,
               FLEXWH_THREADS="2", FLEXWH_MEMORY_LIMIT="1GB")
    return env


def run_in_process(data_dir: Path, *args: str) -> tuple[int, str, str]:
    """`flexwh run ARGS` in this process on data_dir: exit code, stdout, stderr."""
    return flexwh_in_process(data_dir, "run", *args)


def flexwh_in_process(data_dir: Path, *args: str) -> tuple[int, str, str]:
    """`flexwh ARGS` in this process on data_dir: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("FLEXWH_") or name == "DAGSTER_HOME":
                mp.delenv(name)
        for name, value in flexwh_environ(data_dir).items():
            if name.startswith("FLEXWH_"):
                mp.setenv(name, value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def deliver(data_dir: Path) -> None:
    (data_dir / "landing" / "usage" / "2026-04-usage.csv").write_text(NEXT_DELIVERY)


def copy_data(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(source, target, symlinks=True)
    return target


# --- what is on disk --------------------------------------------------------------------

def tree(root: Path) -> dict[str, tuple]:
    """Every entry under root, hidden ones too: kind, mode, mtime and content hash."""
    entries = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        entries[str(path.relative_to(root))] = (path.is_dir(), stat.st_mode, stat.st_mtime_ns,
                                                digest)
    return entries


def visible(entries: dict[str, tuple]) -> dict[str, tuple]:
    """The entries a reader sees; a folder's mtime moves when hidden files come and go."""
    return {k: (v[:2] if v[0] else v) for k, v in entries.items()
            if not any(part.startswith(".") for part in Path(k).parts)}


def hidden_names(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob(".*"))


def published(data_dir: Path) -> dict[str, dict[str, tuple]]:
    return {"serving": tree(data_dir / "serving"), "exports": tree(data_dir / "exports")}


def latest(data_dir: Path, team: str) -> str:
    return (data_dir / "exports" / team / "LATEST").read_text()


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def serving_db(data_dir: Path) -> Path:
    return data_dir / "serving" / "flex_reporting.duckdb"


def tables_rows(database: Path, schema: str, skip: tuple[str, ...] = ()) -> dict[str, list]:
    """Sorted rows of every table of one schema (NULLs sort as their repr)."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = [n for (n,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = ? order by 1",
            [schema]).fetchall() if n not in skip]
        return {name: sorted(con.execute(f'select * from {schema}."{name}"').fetchall(),
                             key=repr) for name in names}


def export_files(data_dir: Path, as_of: str) -> dict[str, bytes]:
    """The CSV files of every team's as_of folder (the manifest and workbook carry times)."""
    return {f"{team}/{path.name}": path.read_bytes() for team in TEAMS
            for path in sorted((data_dir / "exports" / team / as_of).glob("*.csv"))}


# --- module-wide runs -------------------------------------------------------------------

@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """A data folder after one successful run on the fixture feeds (as of 2026-03-31)."""
    data_dir = tmp_path_factory.mktemp("baseline") / "data"
    shutil.copytree(FIXTURES / "orchestration" / "landing", data_dir / "landing")
    code, out, err = run_in_process(data_dir)
    assert code == 3, out + err  # the `abc` row of 2026-02-usage.csv is rejected
    for team in TEAMS:
        assert latest(data_dir, team) == f"{AS_OF}\n"
    return data_dir


@pytest.fixture(scope="module")
def delivered(baseline, tmp_path_factory) -> tuple[Path, int, str, str]:
    """Uninterrupted: the baseline, the next delivery, `flexwh run --as-of 2026-04-01`."""
    data_dir = copy_data(baseline, tmp_path_factory.mktemp("delivered"))
    deliver(data_dir)
    return (data_dir, *run_in_process(data_dir, "--as-of", NEXT_AS_OF))


# --- 1. an ERROR check fails: exit 1, nothing published ----------------------------------

def test_an_error_check_failure_exits_1_and_publishes_nothing(baseline, tmp_path):
    data_dir = copy_data(baseline, tmp_path)
    before = published(data_dir)
    deliver(data_dir)
    # Injected fault, standing for a row an older ingest let through: Beta's settings row
    # (loaded by the baseline run, so today's raw checks do not look at it) loses its
    # pii_enabled. Only the dbt test not_null_stg_autodesk__team_settings_pii_enabled
    # (severity ERROR) can catch it, after dbt has rebuilt models in the warehouse.
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute("update raw.team_settings set pii_enabled = null where team = 'Beta'")

    code, out, err = run_in_process(data_dir, "--as-of", NEXT_AS_OF)

    assert code == 1, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("flexwh run: ERROR check failed: "), err
    assert "not_null_stg_autodesk__team_settings_pii_enabled (ERROR)" in lines[0]
    assert "publish: not run" in out
    # The serving database byte for byte (and mtime), every export file, LATEST, no new
    # folder and no temporary name, visible or hidden.
    assert published(data_dir) == before
    for team in TEAMS:
        assert latest(data_dir, team) == f"{AS_OF}\n"
        assert not (data_dir / "exports" / team / NEXT_AS_OF).exists()
    assert query(serving_db(data_dir), "select as_of_date from serving_info") == [
        (date(2026, 3, 31),)]
    # The warehouse holds the refused build (Acme's 2026-04-01); an on-demand export
    # serves what was published, as of 2026-03-31.
    assert query(data_dir / "warehouse.duckdb", "select count(*) from marts.fct_daily_usage "
                 "where day_used = '2026-04-01'") == [(1,)]
    code, out, err = flexwh_in_process(data_dir, "export", "--team", "Acme", "--all-dates",
                                       "--reports", "usage", "--out", str(tmp_path / "od"))
    assert code == 0, out + err
    [folder] = (tmp_path / "od").iterdir()
    assert (folder / "usage.csv").read_bytes() == (
        data_dir / "exports" / "acme" / AS_OF / "usage.csv").read_bytes()
    assert b"2026-04-01" not in (folder / "usage.csv").read_bytes()


# --- 2. rejected rows: exit 3, everything valid published --------------------------------

def test_rejected_rows_exit_3_and_the_valid_rows_are_published(delivered):
    data_dir, code, out, err = delivered

    assert code == 3, out + err
    assert "raw_usage: 1 files loaded, 0 rejected; 1 rows loaded, 1 rejected" in out
    assert err == ""
    database = serving_db(data_dir)
    assert query(database, "select as_of_date from serving_info") == [(date(2026, 4, 1),)]
    assert query(database, "select team, day_used, product_name, version, tokens_used "
                           "from fct_daily_usage where day_used = '2026-04-01'") == [
        ("Acme", date(2026, 4, 1), "Revit", "2026", Decimal("11.000"))]
    assert query(database, "select count(*) from fct_daily_usage") == [(5,)]
    parquet = data_dir / "serving" / "parquet" / "fct_daily_usage.parquet"
    assert duckdb.sql(f"select sum(tokens_used) from '{parquet}' "
                      "where day_used = '2026-04-01'").fetchall() == [(Decimal("11.000"),)]
    for team in TEAMS:
        assert latest(data_dir, team) == f"{NEXT_AS_OF}\n"
        assert (data_dir / "exports" / team / AS_OF).is_dir()  # within retention
    usage_csv = (data_dir / "exports" / "acme" / NEXT_AS_OF / "usage.csv").read_bytes().decode(
        "utf-8-sig")
    assert "\r\nAcme,2026-04-01,Revit,2026,11,U1,ann@acme.example,Ann,Smith\r\n" in usage_csv
    assert b"2026-04-01" not in (data_dir / "exports" / "beta" / NEXT_AS_OF / "usage.csv"
                                 ).read_bytes()
    assert hidden_names(data_dir / "serving") == []
    assert hidden_names(data_dir / "exports") == []


# --- 3. SIGKILL in the middle of the dbt build and of publishing ------------------------

# Runs `flexwh run` (the console script is flexwh.cli:main) and, for the publication
# kills, first wraps one function so the process stops at a named point and says so in
# a file: the test then kills it there. Test-only: production code has no hook.
PAUSING_RUN = """
import os, sys, time
from pathlib import Path

point, signal_file = sys.argv[1], Path(sys.argv[2])

def pause():
    signal_file.write_text(point)
    time.sleep(3600)

if point == "serving":  # the new database and Parquet files written, not yet renamed
    import exports.serving as module
    real = module.fsync
    def fsync(path):
        real(path)
        if path.name.startswith(".flex_reporting.duckdb."):
            pause()
    module.fsync = fsync
elif point == "exports":  # the first team's folder written, the second one's written
    import exports.publish as module
    real, calls = module._fsync_tree, []
    def _fsync_tree(root):
        real(root)
        calls.append(root)
        if len(calls) == 2:
            pause()
    module._fsync_tree = _fsync_tree

from flexwh.cli import main
sys.exit(main(sys.argv[3:]))
"""


def start_run(data_dir: Path, log: Path, point: str | None = None) -> subprocess.Popen:
    args = ["run", "--as-of", NEXT_AS_OF]
    command = ([sys.executable, "-c", PAUSING_RUN, point, str(data_dir / "paused"), *args]
               if point else [sys.executable, "-m", "flexwh.cli", *args])
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=REPO, env=flexwh_environ(data_dir), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def kill_when(process: subprocess.Popen, ready, log: Path) -> None:
    """SIGKILL the run's whole process group (dbt included) as soon as ready() is true."""
    deadline = time.monotonic() + KILL_TIMEOUT
    try:
        while not ready():
            assert process.poll() is None, f"the run ended before the kill point:\n" \
                                           f"{log.read_text()}"
            assert time.monotonic() < deadline, f"kill point not reached:\n{log.read_text()}"
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def dbt_replacing_marts(data_dir: Path, offset: int):
    """True once dbt's log of this run says it created a mart table: mid-build."""
    dbt_log = data_dir / "logs" / "dbt.log"

    def ready() -> bool:
        if not dbt_log.exists():
            return False
        with open(dbt_log, "rb") as handle:
            handle.seek(offset)
            return b"OK created sql table model marts." in handle.read()
    return ready


def assert_previous_publication_intact(data_dir: Path, before: dict) -> None:
    after = published(data_dir)
    for part in ("serving", "exports"):
        assert visible(after[part]) == visible(before[part]), part
    for team in TEAMS:
        assert latest(data_dir, team) == f"{AS_OF}\n"
    assert query(serving_db(data_dir), "select as_of_date from serving_info") == [
        (date(2026, 3, 31),)]


def test_sigkill_mid_dbt_and_mid_publication_then_a_rerun_gives_the_uninterrupted_marts(
        baseline, delivered, tmp_path):
    reference = delivered[0]
    data_dir = copy_data(baseline, tmp_path)
    deliver(data_dir)
    before = published(data_dir)
    log = tmp_path / "runs.log"

    # 1. Killed while dbt replaces the marts of the warehouse.
    dbt_log = data_dir / "logs" / "dbt.log"
    offset = dbt_log.stat().st_size if dbt_log.exists() else 0
    kill_when(start_run(data_dir, log), dbt_replacing_marts(data_dir, offset), log)
    assert published(data_dir) == before  # not even a temporary file: nothing was published

    # 2. The rerun is killed with the new serving database written beside the old one.
    paused = data_dir / "paused"
    kill_when(start_run(data_dir, log, "serving"), paused.exists, log)
    assert_previous_publication_intact(data_dir, before)
    assert any(".flex_reporting.duckdb." in name for name in hidden_names(data_dir / "serving"))
    # dbt completed in this rerun: the warehouse marts are those of the uninterrupted run.
    assert tables_rows(data_dir / "warehouse.duckdb", "marts") == tables_rows(
        reference / "warehouse.duckdb", "marts")

    # 3. Killed while writing the exports, after the serving database was written: nothing
    # is renamed before every file is complete, so the previous serving database, exports
    # and LATEST are all still there; the new files exist only under hidden names.
    paused.unlink()
    kill_when(start_run(data_dir, log, "exports"), paused.exists, log)
    paused.unlink()
    assert_previous_publication_intact(data_dir, before)
    for team in TEAMS:
        assert not (data_dir / "exports" / team / NEXT_AS_OF).exists()
    assert [n for n in hidden_names(data_dir / "exports") if n.startswith("beta/.tmp-")]

    # 4. A full rerun: no temporary name left, everything as in the uninterrupted run.
    code, out, err = run_in_process(data_dir, "--as-of", NEXT_AS_OF)
    assert code == 0, out + err  # the rejected row belongs to the first, killed run
    assert hidden_names(data_dir / "serving") == []
    assert hidden_names(data_dir / "exports") == []
    assert tables_rows(data_dir / "warehouse.duckdb", "marts") == tables_rows(
        reference / "warehouse.duckdb", "marts")
    assert tables_rows(serving_db(data_dir), "main", skip=("serving_info",)) == tables_rows(
        serving_db(reference), "main", skip=("serving_info",))
    assert export_files(data_dir, NEXT_AS_OF) == export_files(reference, NEXT_AS_OF)
    for team in TEAMS:
        assert latest(data_dir, team) == f"{NEXT_AS_OF}\n"


def test_a_run_removes_the_temporary_names_of_dead_writers_only(tmp_path):
    from exports.publish import prune_exports, temp_tag

    finished = subprocess.Popen(["true"])
    finished.wait()  # its process id now names a writer that is gone
    team_dir = tmp_path / "acme"
    (team_dir / AS_OF).mkdir(parents=True)
    live = team_dir / f".tmp-{NEXT_AS_OF}-{temp_tag()}"  # this process: a live writer
    live.mkdir()
    (team_dir / f".tmp-{NEXT_AS_OF}-p{finished.pid}-0123abcd").mkdir()
    (team_dir / f".tmp-LATEST-p{finished.pid}-4567cdef").write_text(NEXT_AS_OF)
    (team_dir / f".old-2026-03-30-p{finished.pid}-89abcdef").mkdir()  # moved aside, killed

    prune_exports(team_dir, 14)

    assert sorted(p.name for p in team_dir.iterdir()) == [live.name, "2026-03-30", AS_OF]
