"""audit.alerts_raised: the alerts each run raised (insights.md, is_new) and whether the
webhook took them. fct_alerts compares with those of the last run that ended with exit 0
or 3 (audit.runs) and recorded its alerts (audit.alert_runs); a run that failed later, or
did not reach the alert step, does not count."""

from __future__ import annotations

import duckdb

TABLE = "audit.alerts_raised"
DDL = f"""
create table if not exists {TABLE} (
    run_id varchar not null,
    recorded_at timestamp not null,
    as_of_date date not null,
    team varchar not null,
    alert_type varchar not null,
    subject varchar not null,
    severity varchar not null,
    delivered boolean not null  -- taken by the webhook (or none is configured)
);
-- Every run that recorded its alerts, also when it raised none: a successful run that did
-- not reach the alert step (a partial run from the UI) is not "the previous run".
create table if not exists audit.alert_runs (
    run_id varchar not null,
    recorded_at timestamp not null
);
"""
KEY = ("team", "alert_type", "subject")


def record_run_alerts(con: duckdb.DuckDBPyConnection, run_id: str, alerts_table: str,
                      delivered: set[tuple[str, str, str]] | None) -> None:
    """Every alert of `alerts_table` (fct_alerts) as raised by `run_id`; `delivered` the
    keys the webhook took (None: no webhook, all count as delivered)."""
    con.execute(DDL)
    con.execute(f"delete from {TABLE} where run_id = ?", [run_id])
    con.execute("delete from audit.alert_runs where run_id = ?", [run_id])
    con.execute("insert into audit.alert_runs values (?, current_timestamp)", [run_id])
    con.execute(f"insert into {TABLE} select ?, current_timestamp, as_of_date, team, "
                f"alert_type, subject, severity, true from {alerts_table}", [run_id])
    if delivered is not None:
        con.execute(f"update {TABLE} set delivered = false where run_id = ?", [run_id])
    if delivered:
        con.executemany(f"update {TABLE} set delivered = true where run_id = ? and team = ? "
                        "and alert_type = ? and subject = ?",
                        [[run_id, *key] for key in delivered])


PREVIOUS_RUN = """
select runs.run_id from audit.runs as runs
inner join audit.alert_runs as recorded on runs.run_id = recorded.run_id
where runs.exit_code in (0, 3) order by runs.ended_at desc limit 1
"""


def undelivered_keys(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    """Keys the previous successful run raised that the webhook did not take."""
    rows = con.execute(f"select team, alert_type, subject from {TABLE} where not delivered "
                       f"and run_id = ({PREVIOUS_RUN})").fetchall()
    return {tuple(row) for row in rows}


def refresh_is_new(con: duckdb.DuckDBPyConnection, alerts_table: str) -> int:
    """is_new of `alerts_table` recomputed against the previous successful run, as
    fct_alerts computes it; the rows that changed. For a run that skips the dbt build
    (nothing new): its alerts are the last build's, but the previous run is another."""
    con.execute(DDL)
    raised_before = f"""exists (
        select 1 from {TABLE} as r where r.run_id = ({PREVIOUS_RUN})
        and r.team = a.team and r.alert_type = a.alert_type and r.subject = a.subject)"""
    [(changed,)] = con.execute(f"update {alerts_table} as a set is_new = not {raised_before} "
                               f"where a.is_new = {raised_before}").fetchall()
    return int(changed)
