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
    args = [*build_args(settings.as_of.isoformat(), config.full_refresh),
            "--log-path", str(data_dir / "logs")]
    with dbt_process_environment(warehouse.dbt_environment()):
        invocation = dbt.cli(args, context=context, target_path=data_dir / "dbt" / "target")
    yield from invocation.stream()
