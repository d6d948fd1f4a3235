"""Jobs: the nightly job materializes every asset and runs every check."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

nightly_job = define_asset_job(
    "nightly_job",
    selection=AssetSelection.all(),
    description="Ingest new files, build and test the warehouse, run every check.",
)
