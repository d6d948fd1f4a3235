"""What every layer shares: settings, the warehouse connection, the run lock, user keys,
run records and the version. Imports nothing else of this repository (docs/architecture.md)."""

__version__ = "0.1.0"
