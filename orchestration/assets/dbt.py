"""dbt assets: every model of dbt_project/, its tests as asset checks."""

# No `from __future__ import annotations`: Dagster reads the config and resource
# parameter annotations of the decorated functions at definition time.
import json
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, Config
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.project import dbt_project
from orchestration.resources import RunLockResource, WarehouseResource, dbt_process_environment


class FlexDbtTranslator(DagsterDbtTranslator):
    """How dbt nodes appear in Dagster: one method per concern."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # Group by layer folder: models/staging/... -> "staging", models/marts/... -> "marts".
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


class DbtBuildConfig(Config):
    full_refresh: bool = False


# Incremental tables whose columns changed in a release, by a column the new layout has:
# a warehouse built before it cannot be extended, so its first build after the upgrade
# rebuilds every model (docs/operations.md, "Upgrading").
LAYOUT_COLUMNS = (("staging", "stg_autodesk__usage", "delivered_user_id"),)
OUTDATED_TABLE = """
select count(*) from duckdb_tables() as t
where t.database_name = current_database() and t.schema_name = ? and t.table_name = ?
  and not exists (
    select 1 from duckdb_columns() as c
    where c.database_name = t.database_name and c.schema_name = t.schema_name
      and c.table_name = t.table_name and c.column_name = ?)
"""


def layout_outdated(warehouse: WarehouseResource) -> bool:
    """Whether an incremental table was built by an earlier release (without its column)."""
    if not warehouse.settings().warehouse.exists():
        return False
    with warehouse.connect(read_only=True) as con:
        return any(
            con.execute(OUTDATED_TABLE, [schema, table, column]).fetchone()[0]
            for schema, table, column in LAYOUT_COLUMNS
        )


def build_args(as_of: str, full_refresh: bool) -> list[str]:
    """`dbt build` with the reporting day of this run (dbt var `as_of`)."""
    args = ["build", "--vars", json.dumps({"as_of": as_of})]
    if full_refresh:
        args.append("--full-refresh")
    return args


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=FlexDbtTranslator(),
    name="dbt_models",
)
def dbt_models(
    context: AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    run_lock: RunLockResource,  # held by every run that writes the warehouse
) -> Iterator[Any]:
    """Staging, intermediate and mart models of dbt_project/, built and tested by dbt."""
    settings = warehouse.settings()
    data_dir = settings.data_dir.resolve()
    # dagster-dbt gives each call a new target folder and never deletes it (STACK.md): one
    # folder under the data folder instead, overwritten by each build, which also keeps
    # dbt's partial parse between runs; dbt.log goes beside flexwh.log.
    full_refresh = config.full_refresh
    if not full_refresh and layout_outdated(warehouse):
        context.log.info("the warehouse was built by an earlier release: this build "
                         "rebuilds every model once (--full-refresh)")
        full_refresh = True
    args = [*build_args(settings.as_of.isoformat(), full_refresh),
            "--log-path", str(data_dir / "logs")]
    with dbt_process_environment(warehouse.dbt_environment()):
        invocation = dbt.cli(args, context=context, target_path=data_dir / "dbt" / "target")
    yield from invocation.stream()
