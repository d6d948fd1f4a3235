"""`flexwh status` (minimal): what the last ingest run and all runs loaded and rejected."""

from __future__ import annotations

import duckdb

from flexwh.settings import Settings

LAST_RUN = """
select run_id, max(ingested_at) from audit.ingested_files
group by run_id order by max(ingested_at) desc limit 1
"""

PER_FEED = """
select feed,
    count(*) filter (where status = 'loaded'), count(*) filter (where status = 'rejected'),
    count(*) filter (where status = 'duplicate'), count(*) filter (where status = 'ignored'),
    coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0)
from audit.ingested_files {where} group by feed order by feed
"""

HEADER = (f"  {'feed':<15}{'loaded':>8}{'rejected':>10}{'duplicate':>11}{'ignored':>9}"
          f"{'rows loaded':>13}{'rejected':>10}")


def _table(rows: list[tuple]) -> list[str]:
    lines = [HEADER]
    for feed, *counts in rows:
        loaded, rejected, duplicate, ignored, rows_loaded, rows_rejected = counts
        lines.append(f"  {feed:<15}{loaded:>8,}{rejected:>10,}{duplicate:>11,}{ignored:>9,}"
                     f"{rows_loaded:>13,}{rows_rejected:>10,}")
    return lines


def print_status(settings: Settings) -> int:
    path = settings.warehouse
    if not path.exists():
        print(f"no warehouse yet at {path}: run `flexwh run` (or `flexwh demo`)")
        return 0
    # Read-only: status never blocks on, or disturbs, a run that is writing.
    with duckdb.connect(str(path), read_only=True) as con:
        has_audit = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'ingested_files'"
        ).fetchone()[0]
        if not has_audit:
            print(f"warehouse {path} has no ingested files yet")
            return 0
        last = con.execute(LAST_RUN).fetchone()
        print(f"last ingest run {last[0]} at {last[1]:%Y-%m-%d %H:%M:%S} UTC: files")
        for line in _table(con.execute(PER_FEED.format(where="where run_id = ?"), [last[0]])
                           .fetchall()):
            print(line)
        print("all runs: files")
        for line in _table(con.execute(PER_FEED.format(where="")).fetchall()):
            print(line)
    return 0
