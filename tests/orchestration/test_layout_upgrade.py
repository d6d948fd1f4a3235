"""A warehouse built by an earlier release is rebuilt in full by its next build, until a
build under this release's layout succeeds (operations.md, "Upgrading flexwh")."""

from __future__ import annotations

import duckdb

from orchestration.assets.dbt import LAYOUT_VERSION, layout_outdated, record_layout
from orchestration.resources import WarehouseResource


def test_the_layout_counts_once_a_build_under_it_succeeded(flexwh_env):
    warehouse = WarehouseResource()
    assert not layout_outdated(warehouse)  # no warehouse yet

    path = flexwh_env.warehouse
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema staging")
    assert not layout_outdated(warehouse)  # never built: nothing to rebuild

    with duckdb.connect(str(path)) as con:  # built by a release before layouts were recorded
        con.execute("create table staging.stg_autodesk__usage (team varchar, user_id varchar)")
    assert layout_outdated(warehouse)

    with duckdb.connect(str(path)) as con:  # an earlier layout recorded
        con.execute("create schema audit")
        con.execute("create table audit.warehouse_layout "
                    "(layout_version integer, recorded_at timestamp)")
        con.execute("insert into audit.warehouse_layout values (?, now())",
                    [LAYOUT_VERSION - 1])
    assert layout_outdated(warehouse)

    record_layout(warehouse)  # what a successful build does
    assert not layout_outdated(warehouse)
    with duckdb.connect(str(path)) as con:
        assert con.execute("select layout_version from audit.warehouse_layout").fetchall() == [
            (LAYOUT_VERSION,)]
