"""Publication downstream of the marts: the serving database and the team exports.

One step materializes both assets, in two phases: everything is first written under
hidden temporary names (the serving database, every team's folder), and only when all of
it is complete are the files renamed into place. A failure while writing publishes
nothing; a failed ERROR check (a dbt test or a blocking GX check) or a failed build
upstream keeps the step from running at all.
"""

# No `from __future__ import annotations`: Dagster reads the resource parameter annotations.
import json
from collections.abc import Iterator

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetSpec,
    DataVersion,
    MaterializeResult,
    multi_asset,
)

from exports.scheduled import ScheduledExports, stage_scheduled_exports
from exports.serving import SERVING_DB, TableDescription, stage_serving
from orchestration.assets.dbt import dbt_models
from orchestration.build_stamp import (
    DBT_STEP,
    SERVING_STEP,
    current_stamp,
    record_stamp,
    recorded_stamp,
)
from orchestration.progress import PROGRESS
from orchestration.project import dbt_project
from orchestration.resources import RunLockResource, WarehouseResource

PUBLISH_GROUP = "publish"
MART_KEYS = sorted((key for key in dbt_models.keys if key.path[0] == "marts"),
                   key=lambda key: key.path)
# What exports show of users and subscriptions (models/marts/exports), published beside
# the marts in the serving database.
EXPORT_SOURCE_KEYS = sorted((key for key in dbt_models.keys if key.path[0] == "exports"),
                            key=lambda key: key.path)
SERVING = AssetSpec(
    "serving_database", group_name=PUBLISH_GROUP, deps=[*MART_KEYS, *EXPORT_SOURCE_KEYS],
    description="flex_reporting.duckdb and Parquet copies of every mart, replaced atomically.",
)
EXPORTS = AssetSpec(
    "team_exports", group_name=PUBLISH_GROUP, deps=[SERVING.key],
    description="Every team's export folder for as_of (CSV, workbook, manifest), LATEST "
                "and retention.",
)


def mart_descriptions() -> dict[str, TableDescription]:
    """dbt's description of every mart and its columns (the manifest Dagster loaded), each
    folded to one line: COMMENT ON in the serving database."""
    def line(text: str | None) -> str:
        return " ".join((text or "").split())

    nodes = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))["nodes"]
    return {node["name"]: TableDescription(
                line(node.get("description")),
                {name: line(column.get("description"))
                 for name, column in node.get("columns", {}).items()})
            for node in nodes.values()
            if node["resource_type"] == "model" and node["schema"] == "marts"}


@multi_asset(specs=[SERVING, EXPORTS], name="publish")
def publish(context: AssetExecutionContext, warehouse: WarehouseResource,
            run_lock: RunLockResource) -> Iterator[MaterializeResult]:
    # run_lock: held by every run that writes the warehouse or publishes, from start to end.
    """Serving database and team exports from the marts, published together."""
    settings = warehouse.settings()
    with warehouse.connect(read_only=True) as con:
        stamp = current_stamp(con, settings.as_of.isoformat(), settings.hash_key(),
                              settings.alert_thresholds)
        current = recorded_stamp(con, SERVING_STEP) == stamp == recorded_stamp(con, DBT_STEP)
    served_file = settings.serving_dir / SERVING_DB
    progress = lambda line: context.log.info(PROGRESS + line)  # noqa: E731
    if current and served_file.is_file():
        # The marts did not change since the serving database was published from them.
        context.log.info(PROGRESS + "the serving database is current: not published again")
        with duckdb.connect(str(served_file), read_only=True,
                            config=settings.duckdb_config()) as con:
            exports = stage_scheduled_exports(con, settings.export_dir,
                                              settings.export_retention_days, progress)
        published = exports.commit()
        yield MaterializeResult(asset_key=SERVING.key, data_version=DataVersion(stamp[:16]),
                                metadata={"summary": "current: not published again",
                                          "path": str(served_file)})
        yield _exports_result(published)
        return
    serving = stage_serving(settings.warehouse, settings.serving_dir,
                            duckdb_config=settings.duckdb_config(),
                            run_id=context.run.run_id, as_of=settings.as_of,
                            descriptions=mart_descriptions())
    try:
        # From the serving database staged above: exports hold what it holds.
        with serving.connect(settings.duckdb_config()) as con:
            exports = stage_scheduled_exports(con, settings.export_dir,
                                              settings.export_retention_days, progress)
    except BaseException:
        serving.discard()
        raise
    # Renames only, from here on.
    served = serving.commit()
    published = exports.commit()
    with warehouse.connect() as con:
        # Only marts that a whole build made from these inputs are "current" next time.
        if recorded_stamp(con, DBT_STEP) == stamp:
            record_stamp(con, SERVING_STEP, stamp, context.run.run_id)
    yield MaterializeResult(asset_key=SERVING.key, metadata={
        "summary": f"{len(served.tables)} marts published to {served.database} and Parquet",
        "path": str(served.database), "tables": len(served.tables)})
    yield _exports_result(published)


def _exports_result(published: ScheduledExports) -> MaterializeResult:
    return MaterializeResult(asset_key=EXPORTS.key, metadata={
        "summary": f"{len(published.folders)} teams exported for {published.as_of}, "
                   f"{len(published.unchanged)} unchanged, "
                   f"{len(published.removed)} old folders removed",
        "teams": len(published.folders),
        "teams_unchanged": len(published.unchanged),
        "removed_by_retention": len(published.removed),
        "as_of": published.as_of.isoformat()})


export_assets = [publish]
