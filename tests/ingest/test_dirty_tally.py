"""`flexwh generate --dirty` writes a tally of the bad rows and files it planted; ingest
must reject exactly those, and load every row the generator wrote as valid."""

from __future__ import annotations

import datetime as dt
import json

from sample_feeds import generate
from tests.ingest.helpers import Landing


def test_dirty_demo_tally_matches_the_audit_tables(tmp_path):
    landing = Landing(tmp_path)
    summary = generate("demo", seed=7, end_date=dt.date(2026, 3, 31), dirty=True,
                       out=landing.landing)
    tally = json.loads((landing.landing / "dirty_tally.json").read_text())

    landing.ingest()

    rejected_rows = dict(landing.query(
        "select feed, count(*) from audit.rejected_rows group by feed"))
    assert rejected_rows == tally["rejected_rows"]
    for status in ("rejected", "duplicate", "ignored"):
        found = dict(landing.query(
            "select feed, count(*) from audit.ingested_files where status = ? group by feed",
            [status]))
        assert found == tally[f"{status}_files"], status
    # Nothing valid is lost: every row written as valid is in raw.
    extra = tally["valid_rows_in_dirty_files"]
    for feed, rows in summary.rows.items():
        expected = rows + extra.get(feed, 0)
        assert landing.query(f"select count(*) from raw.{feed}") == [(expected,)], feed
    # For every file: rows read = rows loaded + rows rejected.
    assert landing.query(
        "select count(*) from audit.ingested_files "
        "where rows_read <> rows_loaded + rows_rejected") == [(0,)]
