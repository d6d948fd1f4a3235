"""Jobs: the nightly job materializes every asset and runs every check."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

# Every asset that writes (ingest, dbt, publish) requires the `run_lock` resource, so any
# run materializing one of them, this job or an ad-hoc one from the UI, holds the lock
# from its first step to its last (orchestration/resources.py: RunLockResource).
nightly_job = define_asset_job(
    "nightly_job",
    selection=AssetSelection.all(),
    description="Ingest new files, build and test the warehouse, run every check.",
)
