"""Asset modules, one per concern: ingest (raw feeds), dbt (models and tests)."""
