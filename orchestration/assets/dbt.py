"""dbt assets: every model of dbt_project/, its tests as asset checks."""

# No `from __future__ import annotations`: Dagster reads the config and resource
# parameter annotations of the decorated functions at definition time.
import json
from collections.abc import Iterator, Mapping
from graphlib import TopologicalSorter
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    Config,
    DataVersion,
    MaterializeResult,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from core.alert_history import refresh_is_new
from orchestration.build_stamp import (
    DBT_STEP,
    SERVING_STEP,
    current_stamp,
    forget_stamp,
    record_stamp,
    recorded_stamp,
)
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


# The layout of the derived tables: raised by a release that changes an incremental model's
# columns or rules (2: e-mails resolved to Autodesk IDs). A warehouse built under a lower
# one is rebuilt in full by its next build, and the layout is recorded only once a build
# has succeeded, so an interrupted rebuild is done again (docs/operations.md, "Upgrading").
LAYOUT_VERSION = 2
LAYOUT_TABLE = "audit.warehouse_layout"
TABLE_EXISTS = """
select count(*) from duckdb_tables()
where database_name = current_database() and schema_name = ? and table_name = ?
"""


def _exists(con, schema: str, table: str) -> bool:
    return con.execute(TABLE_EXISTS, [schema, table]).fetchall()[0][0] > 0


def layout_outdated(warehouse: WarehouseResource) -> bool:
    """Whether the derived tables were built, but not under this layout by a build that
    succeeded."""
    if not warehouse.settings().warehouse.exists():
        return False
    with warehouse.connect(read_only=True) as con:
        if not _exists(con, "staging", "stg_autodesk__usage"):
            return False  # never built: the next build makes everything anyway
        if not _exists(con, *LAYOUT_TABLE.split(".")):
            return True
        [(version,)] = con.execute(f"select max(layout_version) from {LAYOUT_TABLE}").fetchall()
    return version is None or version < LAYOUT_VERSION


def record_layout(warehouse: WarehouseResource) -> None:
    """After a successful build: the derived tables are of this release's layout."""
    with warehouse.connect() as con:
        con.execute(f"create table if not exists {LAYOUT_TABLE} "
                    "(layout_version integer, recorded_at timestamp)")
        con.execute(f"delete from {LAYOUT_TABLE}")
        con.execute(f"insert into {LAYOUT_TABLE} values (?, current_timestamp)",
                    [LAYOUT_VERSION])


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
    # Only a build of every model and test records or trusts the stamp: a build of a
    # selection from the UI leaves the rest as it was.
    whole = (context.selected_asset_keys == context.assets_def.keys
             and context.selected_asset_check_keys == context.assets_def.check_keys)
    stamp = _stamp(warehouse) if whole else ""
    if not full_refresh and _unchanged(warehouse, stamp):
        # Nothing new since the last successful build: its tables are what this build
        # would write. Each model is reported with the stamp as its data version.
        context.log.info("nothing new since the last build (the same files, as_of, code "
                         "and hash key): the models are current, dbt does not run")
        _refresh_alerts(warehouse)
        yield from _unchanged_results(context, stamp)
        return
    with warehouse.connect() as con:
        forget_stamp(con, DBT_STEP)  # a build that stops half-way leaves no finished stamp
    args = [*build_args(settings.as_of.isoformat(), full_refresh),
            "--log-path", str(data_dir / "logs")]
    with dbt_process_environment(warehouse.dbt_environment()):
        invocation = dbt.cli(args, context=context, target_path=data_dir / "dbt" / "target")
    yield from invocation.stream()
    if invocation.is_successful():
        record_layout(warehouse)
        if stamp:
            with warehouse.connect() as con:
                record_stamp(con, DBT_STEP, stamp, context.run.run_id)


def _unchanged_results(context: AssetExecutionContext, stamp: str
                       ) -> Iterator[MaterializeResult]:
    """Each model as the last build left it. Its blocking (ERROR) tests passed on exactly
    these rows (the stamp is recorded only by a build whose tests all passed): reported
    as passed, so that publication stays gated; WARN tests are not reported (not run)."""
    selected_checks = context.selected_asset_check_keys
    blocking: dict[AssetKey, list[str]] = {}
    for spec in context.assets_def.check_specs:
        if spec.blocking and spec.key in selected_checks:
            blocking.setdefault(spec.asset_key, []).append(spec.name)
    note = {"dbt": "not run: nothing new since the last build"}
    for key in _topological(context):
        checks = [AssetCheckResult(asset_key=key, check_name=name, passed=True,
                                   metadata=note)
                  for name in blocking.get(key, [])]
        yield MaterializeResult(asset_key=key, data_version=DataVersion(stamp[:16]),
                                metadata=note, check_results=checks)


def _refresh_alerts(warehouse: WarehouseResource) -> None:
    """The alerts are the last build's, but is_new compares with the previous successful
    run, which may be a later one: recomputed, and the serving database then published
    again (only when is_new changed)."""
    with warehouse.connect() as con:
        if _exists(con, "marts", "fct_alerts") and refresh_is_new(con, "marts.fct_alerts"):
            forget_stamp(con, SERVING_STEP)


def _topological(context: AssetExecutionContext) -> list[AssetKey]:
    """The selected models, each after the models it reads (Dagster's order for a
    multi-asset's results)."""
    selected = context.selected_asset_keys
    deps = context.assets_def.asset_deps
    order = TopologicalSorter({key: deps.get(key, set()) & selected for key in selected})
    return list(order.static_order())


def _stamp(warehouse: WarehouseResource) -> str:
    settings = warehouse.settings()
    if not settings.warehouse.exists():
        return ""
    with warehouse.connect(read_only=True) as con:
        return current_stamp(con, settings.as_of.isoformat(), settings.hash_key(),
                             settings.alert_thresholds)


def _unchanged(warehouse: WarehouseResource, stamp: str) -> bool:
    if not stamp:
        return False
    with warehouse.connect(read_only=True) as con:
        return recorded_stamp(con, DBT_STEP) == stamp
