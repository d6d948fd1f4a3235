"""Publication assets downstream of the marts: the serving database and the team exports.

They run only after dbt built and tested every mart: a failed ERROR check (a dbt test or a
blocking GX check) fails or skips their upstream step, and Dagster then does not run them,
so a failed run publishes nothing.
"""

# No `from __future__ import annotations`: Dagster reads the resource parameter annotations.
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from exports.scheduled import publish_scheduled_exports
from exports.serving import publish_serving
from orchestration.assets.dbt import dbt_models
from orchestration.resources import WarehouseResource

PUBLISH_GROUP = "publish"
MART_KEYS = sorted((key for key in dbt_models.keys if key.path[0] == "marts"),
                   key=lambda key: key.path)
# Personal data of named exports (names, e-mail addresses, roles) and the subscriptions
# as delivered come from these models besides the marts.
EXPORT_SOURCE_KEYS = [
    AssetKey(["intermediate", "int_user_identities"]),
    AssetKey(["staging", "stg_autodesk__subscriptions"]),
    AssetKey(["staging", "stg_autodesk__users"]),
]


@asset(group_name=PUBLISH_GROUP, deps=MART_KEYS)
def serving_database(context: AssetExecutionContext,
                     warehouse: WarehouseResource) -> MaterializeResult:
    """flex_reporting.duckdb and Parquet copies of every mart, replaced atomically."""
    settings = warehouse.settings()
    result = publish_serving(settings.warehouse, settings.serving_dir,
                             duckdb_config=settings.duckdb_config(), run_id=context.run_id,
                             as_of=settings.as_of)
    return MaterializeResult(metadata={"path": str(result.database),
                                       "tables": len(result.tables)})


@asset(group_name=PUBLISH_GROUP, deps=[*MART_KEYS, *EXPORT_SOURCE_KEYS])
def team_exports(context: AssetExecutionContext,
                 warehouse: WarehouseResource) -> MaterializeResult:
    """Every team's export folder for as_of (CSV, workbook, manifest), LATEST and retention."""
    settings = warehouse.settings()
    with warehouse.connect(read_only=True) as con:
        published = publish_scheduled_exports(con, settings.export_dir,
                                              settings.export_retention_days,
                                              progress=context.log.info)
    return MaterializeResult(metadata={
        "summary": f"{len(published.folders)} teams exported for {published.as_of}, "
                   f"{len(published.removed)} old folders removed",
        "teams": len(published.folders),
                                       "removed_by_retention": len(published.removed),
                                       "as_of": published.as_of.isoformat()})


export_assets = [serving_database, team_exports]
