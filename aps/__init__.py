"""Autodesk Platform Services (APS Insights v1): the feeds fetched from Autodesk's API.

Plain Python (requests), no Dagster: `flexwh fetch` and the orchestration's fetch asset
both call `aps.fetch.fetch`. spec/autodesk_api.md is the contract.
"""
