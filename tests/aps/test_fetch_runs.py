"""The nightly job with APS configured: its first step fetches from the stand-in, and the
marts equal those of a run on the same files dropped into the landing folder by hand."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from flexwh.cli import main
from tests.aps.conftest import CLIENT_SECRET

pytestmark = pytest.mark.slow  # two nightly runs: not in make test-fast


def marts(warehouse) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [n for (n,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()]
        return {n: sorted(con.execute(f"select * from marts.{n}").fetchall(), key=repr)
                for n in names}


def test_fetched_feeds_give_the_marts_of_the_same_files_dropped_by_hand(
        api, aps_data, flexwh_env, tmp_path, monkeypatch, capsys):
    landing = flexwh_env.landing_dir
    for feed, data in (("token_events", aps_data.token_events()),
                       ("team_settings", aps_data.team_settings())):
        (landing / feed).mkdir(parents=True)
        (landing / feed / f"{feed}.csv").write_bytes(data)  # not in the API: by hand

    fetched_code = main(["run"])
    out = capsys.readouterr().out
    assert "] aps_feeds: APS: 1 exports fetched, 4 files" in out
    assert fetched_code in (0, 3), out  # the demo feeds hold WARN findings on purpose

    by_hand = tmp_path / "by-hand"
    shutil.copytree(landing, by_hand / "landing")
    for name in [n for n in os.environ if n.startswith("FLEXWH_APS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("FLEXWH_DATA_DIR", str(by_hand))
    assert main(["run"]) == fetched_code
    assert "] aps_feeds: APS not configured, nothing fetched" in capsys.readouterr().out

    fetched, dropped = marts(flexwh_env.warehouse), marts(by_hand / "warehouse.duckdb")
    assert fetched.keys() == dropped.keys() and len(fetched) > 10
    assert fetched == dropped
    assert sum(len(rows) for rows in fetched.values()) > 1000

    # Dagster's run records, the logs, the warehouse and exports: no secret anywhere.
    secrets = [CLIENT_SECRET, *api.issued_refresh_tokens, *api.access_tokens]
    for path in flexwh_env.data_dir.rglob("*"):
        if path.is_file() and not path.name.startswith(".aps_refresh_token"):
            data = path.read_bytes()
            assert not [s for s in secrets if s.encode() in data], path


def test_a_failed_fetch_fails_the_nightly_run_with_one_line_before_ingest(
        api, flexwh_env, capsys):
    api.switches.export_error = True
    assert main(["run"]) == 1
    captured = capsys.readouterr()
    export_id = next(iter(api.exports))
    assert captured.err.splitlines() == [
        f"flexwh run: step aps_feeds failed: APS export {export_id} ended with status ERROR"]
    assert "raw_usage: not run" in captured.out
    assert not (flexwh_env.serving_dir / "flex_reporting.duckdb").exists()
