"""The one Definitions object of the code location (workspace.yaml points here)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.alert_checks import no_critical_alerts
from orchestration.assets.alerts import alert_delivery
from orchestration.assets.aps import aps_feeds
from orchestration.assets.dbt import dbt_models
from orchestration.assets.exports import export_assets
from orchestration.assets.ingest import ingest_assets
from orchestration.checks import raw_checks
from orchestration.identity_checks import emails_resolve_to_one_autodesk_id
from orchestration.jobs import nightly_job
from orchestration.resources import RunLockResource, WarehouseResource, dbt_resource
from orchestration.schedules import nightly_schedule
from orchestration.sensors import landing_files_sensor

defs = Definitions(
    assets=[aps_feeds, *ingest_assets, dbt_models, *export_assets, alert_delivery],
    asset_checks=[*raw_checks, emails_resolve_to_one_autodesk_id, no_critical_alerts],
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[landing_files_sensor],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource(),
               "run_lock": RunLockResource()},
    # One process runs the steps one after another: DuckDB allows one writing process per
    # file, and the multiprocess executor re-imports the code location per step (STACK.md).
    executor=in_process_executor,
)
