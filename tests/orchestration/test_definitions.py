"""The code location loads: assets, checks and their severities, job, resources."""

from __future__ import annotations

import pytest
from dagster import AssetCheckKey, AssetKey

from ingest.feeds import FEEDS

RAW = {f"raw_{feed}" for feed in FEEDS}
STAGING = {
    "stg_autodesk__usage", "stg_autodesk__subscriptions", "stg_autodesk__users",
    "stg_autodesk__token_events", "stg_autodesk__team_settings",
    "stg_company__cost_centers", "stg_company__prices",
}
STAGING_OF = {feed: f"stg_autodesk__{feed}" for feed in FEEDS} | {
    "cost_centers": "stg_company__cost_centers", "prices": "stg_company__prices"}


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def test_definitions_validate(defs):
    from dagster import Definitions

    Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("nightly_job") is not None


def test_raw_assets_and_staging_models_are_one_graph(defs):
    graph = defs.resolve_asset_graph()
    keys = {key.path[-1]: key for key in graph.get_all_asset_keys()}
    assert keys.keys() >= RAW
    assert keys.keys() >= STAGING
    for feed in FEEDS:
        assert graph.get(AssetKey(f"raw_{feed}")).group_name == "ingest"
        staging = graph.get(keys[STAGING_OF[feed]])
        assert staging.group_name == "staging"
    # dbt sources map onto the ingest assets (meta.dagster.asset_key): lineage is one graph.
    usage_parents = graph.get(keys["base_autodesk__usage"]).parent_keys
    assert AssetKey("raw_usage") in usage_parents


# (asset, check) -> severity, for the checks this module owns; dbt tests come on top.
EXPECTED_SEVERITIES = {
    ("raw_usage", "required_columns_present"): "ERROR",
    ("raw_usage", "tokens_used_not_negative"): "ERROR",
    ("raw_usage", "user_identity_present"): "ERROR",
    ("raw_usage", "lineage_valid"): "ERROR",
    ("raw_usage", "day_used_not_after_as_of"): "WARN",
    ("raw_usage", "one_identity_kind_per_team_day"): "WARN",
    ("raw_usage", "no_rejections"): "WARN",
    ("raw_subscriptions", "required_columns_present"): "ERROR",
    ("raw_subscriptions", "seat_quantity_not_negative"): "ERROR",
    ("raw_subscriptions", "end_date_not_before_start_date"): "ERROR",
    ("raw_subscriptions", "lineage_valid"): "ERROR",
    ("raw_subscriptions", "no_rejections"): "WARN",
    ("raw_users", "required_columns_present"): "ERROR",
    ("raw_users", "user_identity_present"): "ERROR",
    ("raw_users", "lineage_valid"): "ERROR",
    ("raw_users", "no_rejections"): "WARN",
    ("raw_token_events", "required_columns_present"): "ERROR",
    ("raw_token_events", "event_type_known"): "ERROR",
    ("raw_token_events", "event_values_present"): "ERROR",
    ("raw_token_events", "event_id_unique_per_file"): "WARN",
    ("raw_token_events", "lineage_valid"): "ERROR",
    ("raw_token_events", "no_rejections"): "WARN",
    ("raw_team_settings", "required_columns_present"): "ERROR",
    ("raw_team_settings", "team_unique_per_file"): "WARN",
    ("raw_team_settings", "lineage_valid"): "ERROR",
    ("raw_team_settings", "no_rejections"): "WARN",
    ("raw_cost_centers", "required_columns_present"): "ERROR",
    ("raw_cost_centers", "user_unique_per_day_and_file"): "WARN",
    ("raw_cost_centers", "lineage_valid"): "ERROR",
    ("raw_cost_centers", "no_rejections"): "WARN",
    ("raw_prices", "required_columns_present"): "ERROR",
    ("raw_prices", "price_not_negative"): "ERROR",
    ("raw_prices", "currency_is_a_code"): "WARN",
    ("raw_prices", "item_unique_per_day_and_file"): "WARN",
    ("raw_prices", "lineage_valid"): "ERROR",
    ("raw_prices", "no_rejections"): "WARN",
}


def test_raw_checks_are_attached_with_their_severity(defs):
    graph = defs.resolve_asset_graph()
    raw_checks = {
        (key.asset_key.to_user_string(), key.name): graph.get_check_spec(key)
        for key in graph.asset_check_keys
        if key.asset_key.to_user_string() in RAW
    }
    assert {k: s.metadata["severity"] for k, s in raw_checks.items()} == EXPECTED_SEVERITIES
    # ERROR checks block the dbt build downstream; WARN checks only report.
    assert {k for k, s in raw_checks.items() if s.blocking} == {
        k for k, severity in EXPECTED_SEVERITIES.items() if severity == "ERROR"
    }


def test_dbt_tests_are_checks_on_their_models(defs):
    graph = defs.resolve_asset_graph()
    key = next(k for k in graph.get_all_asset_keys() if k.path[-1] == "stg_autodesk__usage")
    assert AssetCheckKey(key, "not_null_stg_autodesk__usage_team") in graph.asset_check_keys


def test_nightly_job_selects_every_asset(defs):
    job = defs.resolve_job_def("nightly_job")
    nodes = {node.name for node in job.nodes_in_topological_order}
    assert {f"raw_{feed}" for feed in FEEDS} <= nodes
    assert {f"raw_{feed}_checks" for feed in FEEDS} <= nodes
    assert "dbt_models" in nodes


def test_the_cli_run_config_is_valid_for_the_nightly_job(defs):
    from datetime import date

    from dagster import validate_run_config

    from flexwh.runner import run_config

    job = defs.resolve_job_def("nightly_job")
    config = validate_run_config(job, run_config(date(2026, 3, 31), full_refresh=True))
    assert config["resources"]["warehouse"]["config"]["as_of"] == "2026-03-31"
    assert config["ops"]["dbt_models"]["config"]["full_refresh"] is True


def test_publication_assets_follow_every_mart_and_the_schedule_and_sensor_load(defs):
    graph = defs.resolve_asset_graph()
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    assert len(marts) >= 17
    export_sources = {AssetKey(["exports", "exp_user_directory"]),
                      AssetKey(["exports", "exp_subscriptions"])}
    serving = graph.get(AssetKey("serving_database"))
    assert serving.group_name == "publish"
    assert set(serving.parent_keys) == marts | export_sources  # lineage from the manifest
    # exports read the serving database only (the last published state)
    exports = graph.get(AssetKey("team_exports"))
    assert exports.group_name == "publish"
    assert set(exports.parent_keys) == {AssetKey("serving_database")}
    assert defs.resolve_schedule_def("nightly").cron_schedule == "0 2 * * *"
    assert defs.resolve_sensor_def("landing_files").job_name == "nightly_job"
