"""A warehouse built by an earlier release is rebuilt once by the first build after the
upgrade (operations.md, "Upgrading flexwh"): the dbt step sees the missing column."""

from __future__ import annotations

import duckdb

from orchestration.assets.dbt import layout_outdated
from orchestration.resources import WarehouseResource


def test_only_an_incremental_table_of_an_earlier_layout_is_outdated(flexwh_env):
    warehouse = WarehouseResource()
    assert not layout_outdated(warehouse)  # no warehouse yet

    path = flexwh_env.warehouse
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema staging")
    assert not layout_outdated(warehouse)  # a warehouse never built: nothing to rebuild

    with duckdb.connect(str(path)) as con:  # as the release before e-mail resolution
        con.execute("create table staging.stg_autodesk__usage (team varchar, user_id varchar)")
    assert layout_outdated(warehouse)

    with duckdb.connect(str(path)) as con:
        con.execute("alter table staging.stg_autodesk__usage "
                    "rename column user_id to delivered_user_id")
    assert not layout_outdated(warehouse)
