"""Dagster code location of the Flex usage warehouse (definitions.py wires it)."""
