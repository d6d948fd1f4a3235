"""The feeds fetched from Autodesk's APS Insights API, upstream of ingest (autodesk_api.md).

Part of every nightly run; without the FLEXWH_APS_* settings it fetches nothing and says
so, and the feeds are whatever was dropped into the landing folder by hand.
"""

# No `from __future__ import annotations`: Dagster reads the parameter annotations.
from dagster import AssetExecutionContext, Failure, MaterializeResult, asset

from orchestration.progress import PROGRESS
from orchestration.resources import RunLockResource, WarehouseResource

APS_ASSET = "aps_feeds"


@asset(
    name=APS_ASSET,
    group_name="ingest",
    kinds={"python"},
    description="New export files fetched from the APS Insights API into the landing folder "
                "(nothing when FLEXWH_APS_* is not set); audit.fetched_exports records each.",
)
def aps_feeds(context: AssetExecutionContext, warehouse: WarehouseResource,
              run_lock: RunLockResource) -> MaterializeResult:
    from aps.errors import ApsError
    from aps.fetch import fetch
    from aps.settings import ApsSettings

    settings = warehouse.settings()
    aps = ApsSettings.from_env(settings)
    if aps is None:
        return MaterializeResult(metadata={"summary": "APS not configured, nothing fetched"})
    try:
        report = fetch(settings, aps, progress=lambda line: context.log.info(PROGRESS + line))
    except ApsError as error:
        # One line, no traceback: the message names what failed and never holds a secret.
        raise Failure(description=str(error)) from None
    return MaterializeResult(metadata={"summary": report.summary(),
                                       "files": len(report.files), "bytes": report.bytes})
