"""Serving database and per-team export files (plain Python, no Dagster)."""
