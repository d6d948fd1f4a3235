"""Plain-Python ingest of the landing folder into the warehouse's raw and audit schemas."""
