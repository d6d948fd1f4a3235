"""Jobs: the nightly job materializes every asset and runs every check."""

from __future__ import annotations

from dagster import AssetSelection, HookContext, define_asset_job, success_hook


@success_hook(required_resource_keys={"run_lock"})
def holds_run_lock(context: HookContext) -> None:
    """Nothing to do per step: requiring `run_lock` makes every run of the job set it up
    (lock taken) before its first step and tear it down (record, unlock) after its last."""


nightly_job = define_asset_job(
    "nightly_job",
    selection=AssetSelection.all(),
    description="Ingest new files, build and test the warehouse, run every check.",
    hooks={holds_run_lock},
)
