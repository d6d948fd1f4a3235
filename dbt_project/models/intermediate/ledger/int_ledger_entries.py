"""int_ledger_entries: the token ledger (docs/ledger.md), one row per ledger entry.

Staging rows up to as_of go into the pure-Python engine (ledger); usage is summed
per (team, day) in DuckDB first, so only team-days cross into Python. The result is an
Arrow table, so tokens land as DECIMAL(18,3) and days as DATE.
"""

from datetime import date

from ledger import Event, Pack, build_ledger
from ledger.arrow import entries_table


def model(dbt, session):
    dbt.config(materialized="table")
    # var('as_of') through the model's YAML config: Python models have no var() (dbt docs).
    as_of = date.fromisoformat(str(dbt.config.get("as_of")))
    up_to_as_of = f"<= date '{as_of.isoformat()}'"

    packs = (
        dbt.ref("stg_autodesk__subscriptions")
        .filter("is_token_pack")
        .project("subscription_id, team, seat_quantity, start_date, end_date")
        .fetchall()
    )
    events = (
        dbt.ref("stg_autodesk__token_events")
        .filter(f"event_date {up_to_as_of}")
        .project("event_id, event_date, event_type, subscription_id, from_team, to_team, tokens")
        .fetchall()
    )
    consumption = (
        dbt.ref("stg_autodesk__usage")
        .filter(f"day_used {up_to_as_of}")
        .aggregate("team, day_used, sum(tokens_used)", "team, day_used")
        .fetchall()
    )
    entries = build_ledger(
        packs=[Pack(*row) for row in packs],
        events=[Event(*row) for row in events],
        consumption=consumption,
        as_of=as_of,
    )
    return entries_table(entries)
