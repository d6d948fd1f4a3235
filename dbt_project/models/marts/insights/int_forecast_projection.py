"""int_forecast_projection: insights.md's projection, run by the ledger engine
(ledger.forecast): one row per pack held on as_of (active or upcoming) with what it is
projected to give and to lose, and per team (subscription_id NULL) one row per day of its
projected balance curve, each with the team's projected run-out date."""

from datetime import date
from decimal import Decimal

import pyarrow as pa

from ledger.forecast import HeldPack, project

SCHEMA = pa.schema([
    ("team", pa.string()), ("subscription_id", pa.string()),
    ("projected_tokens_used", pa.decimal128(18, 3)),
    ("projected_tokens_expiring", pa.decimal128(18, 3)),
    ("projected_empty_date", pa.date32()), ("projected_run_out_date", pa.date32()),
    ("day", pa.date32()), ("projected_balance", pa.decimal128(18, 3)),
])


def model(dbt, session):
    dbt.config(materialized="table")
    as_of = date.fromisoformat(str(dbt.config.get("as_of")))
    packs = (
        dbt.ref("dim_token_pack")
        .filter("status in ('active', 'upcoming')")
        .project("subscription_id, current_team, seat_quantity, start_date, end_date, "
                 "tokens_remaining")
        .fetchall()
    )
    rates = dbt.ref("int_team_burn_rates").project("team, burn_rate_30d").fetchall()
    forecast = project([HeldPack(*row) for row in packs],
                       {team: Decimal(rate) for team, rate in rates}, as_of)
    rows = [(p.team, p.subscription_id, p.projected_tokens_used,
             p.projected_tokens_expiring, p.projected_empty_date, None, None, None)
            for p in forecast.packs]
    rows += [(team, None, None, None, None, run_out, day, balance)
             for team, run_out in sorted(forecast.run_out.items())
             for day, balance in forecast.balance[team]]
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(SCHEMA.names)},
                    schema=SCHEMA)
