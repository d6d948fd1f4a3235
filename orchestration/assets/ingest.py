"""Ingest assets: one per feed, landing folder -> raw.<feed> and the audit tables."""

# No `from __future__ import annotations`: Dagster reads the config and resource
# parameter annotations of the decorated functions at definition time.
import time

from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, asset

from aps.fetch import FEED_OF_REPORT
from ingest.feeds import FEEDS
from ingest.results import DUPLICATE, IGNORED, LOADED, REJECTED, FeedResult
from orchestration.assets.aps import APS_ASSET
from orchestration.progress import PROGRESS
from orchestration.resources import RunLockResource, WarehouseResource

INGEST_GROUP = "ingest"


def raw_asset_key(feed: str) -> str:
    return f"raw_{feed}"


def feed_metadata(result: FeedResult, seconds: float) -> dict[str, object]:
    """Counts only: file paths and reasons stay in the audit tables, never row values."""
    return {
        "files_loaded": result.count(LOADED),
        "files_rejected": result.count(REJECTED),
        "files_duplicate": result.count(DUPLICATE),
        "files_ignored": result.count(IGNORED),
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "seconds": round(seconds, 2),
    }


def build_ingest_asset(feed: str) -> AssetsDefinition:
    """The asset that ingests the new files of one feed folder."""

    @asset(
        name=raw_asset_key(feed),
        group_name=INGEST_GROUP,
        kinds={"python", "duckdb"},
        description=f"Rows of the {feed} feed files, typed and with lineage (raw.{feed}).",
        # The feeds APS delivers are ingested after the fetch has landed its files.
        deps=[APS_ASSET] if feed in FEED_OF_REPORT.values() else [],
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource,
                run_lock: RunLockResource) -> MaterializeResult:
        # run_lock: every run that writes the warehouse holds it from start to end.
        # Imported here: ingest/ pulls in openpyxl and pyarrow, not needed to load definitions.
        from ingest.pipeline import ingest_feed

        settings = warehouse.settings()
        started = time.monotonic()
        # One writer at a time (STACK.md): the connection is closed before the next step.
        with warehouse.connect() as con:
            result = ingest_feed(
                con,
                feed,
                settings.landing_dir.resolve(),
                settings.archive_dir.resolve(),
                run_id=context.run.run_id,
                progress=lambda line: context.log.info(PROGRESS + line),
            )
            total_rows = con.execute(f"select count(*) from raw.{feed}").fetchone()[0]
        context.log.info(result.summary())
        metadata = feed_metadata(result, time.monotonic() - started)
        return MaterializeResult(metadata={**metadata, "dagster/row_count": total_rows})

    return _ingest


ingest_assets = [build_ingest_asset(feed) for feed in FEEDS]
