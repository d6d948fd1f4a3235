"""The `flexwh` command line: the top layer, over orchestration, ingest and exports."""
