"""`flexwh status`: last runs, files and rows ingested and rejected, data freshness per team.

Read-only and never waiting: while a run writes the warehouse file, status says so in one
line and exits 0; between two steps of a run it reads what is there and says a run is on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

from core.run_lock import holder, holder_text
from core.run_records import refused_records
from core.settings import Settings

LAST_RUNS = 10
MAX_TEAMS = 20  # the teams furthest behind; the rest in one line

RUNS = """
select started_at, outcome, exit_code, "trigger", as_of, files_loaded, files_rejected,
    rows_loaded, rows_rejected, checks_failed_error, checks_failed_warn, published, message
from audit.runs order by started_at desc limit ?
"""

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

FRESHNESS = """
select team, last_usage_day, date_diff('day', last_usage_day, ?::date) as days_behind
from marts.dim_team
order by last_usage_day is null desc, days_behind desc, team
"""

# Rejections by file, newest first: files rejected whole with their message, and for files
# that loaded, each kind of reason with its count and first rows. Quoted values are cut
# from the reasons: a count per kind reads better, and no cell value reaches the console.
REJECTIONS = """
with kinds as (
    select path, sha256, regexp_replace(reason, ': ''[^;]*''', '', 'g') as kind,
           count(*) as rows, list(row_number order by row_number)[1:5] as first_rows
    from audit.rejected_rows group by all
)
select f.path, f.status, f.message, f.ingested_at, f.rows_read, f.rows_rejected,
       k.kind, k.rows, k.first_rows
from audit.ingested_files as f left join kinds as k on f.path = k.path and f.sha256 = k.sha256
where f.status = 'rejected' or f.rows_rejected > 0
order by f.ingested_at desc, f.path, k.rows desc, k.kind
"""
MAX_REJECTED_FILES = 50

FEED_HEADER = (f"  {'feed':<15}{'loaded':>8}{'rejected':>10}{'duplicate':>11}{'ignored':>9}"
               f"{'rows loaded':>13}{'rejected':>10}")
RUN_HEADER = (f"  {'started (UTC)':<21}{'outcome':<10}{'exit':>4}  {'trigger':<10}"
              f"{'as of':<12}{'files':>7}{'rej.':>6}{'rows':>11}{'rej.':>8}"
              f"{'errors':>8}{'warnings':>10}  published")


def _feed_table(rows: list[tuple]) -> list[str]:
    lines = [FEED_HEADER]
    for feed, *counts in rows:
        loaded, rejected, duplicate, ignored, rows_loaded, rows_rejected = counts
        lines.append(f"  {feed:<15}{loaded:>8,}{rejected:>10,}{duplicate:>11,}{ignored:>9,}"
                     f"{rows_loaded:>13,}{rows_rejected:>10,}")
    return lines


def _run_lines(rows: list[tuple]) -> list[str]:
    lines = [RUN_HEADER]
    for (started, outcome, code, trigger, as_of, files, files_rej, rows_loaded, rows_rej,
         errors, warnings, published, message) in rows:
        day = as_of.isoformat() if as_of else "-"
        lines.append(f"  {started:%Y-%m-%d %H:%M:%S}  {outcome:<10}{code:>4}  {trigger:<10}"
                     f"{day:<12}{files:>7,}{files_rej:>6,}{rows_loaded:>11,}{rows_rej:>8,}"
                     f"{errors:>8,}{warnings:>10,}  {'yes' if published else 'no'}")
        if message:
            lines.append(f"      {message}")
    return lines


def _freshness_lines(rows: list[tuple], as_of: date) -> list[str]:
    width = max([4, *(len(team) for team, *_ in rows[:MAX_TEAMS])]) + 2
    lines = [f"  {'team':<{width}}{'last usage day':<16}{'days behind':>11}"]
    for team, last_day, behind in rows[:MAX_TEAMS]:
        if last_day is None:
            lines.append(f"  {team:<{width}}{'no usage':<16}{'-':>11}")
        else:
            lines.append(f"  {team:<{width}}{last_day.isoformat():<16}{behind:>11,}")
    rest = rows[MAX_TEAMS:]
    if rest:
        behind = [b for _, _, b in rest if b is not None]
        most = f", at most {max(behind):,} days behind" if behind else ""
        lines.append(f"  ... and {len(rest):,} more teams{most}")
    return lines


def rejection_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """`flexwh status --rejections`: why files and rows were rejected, file by file."""
    rows = con.execute(REJECTIONS).fetchall()
    if not rows:
        return ["no file or row has been rejected"]
    lines, files = ["rejections by file, newest first"], []
    for path, status, message, at, read, rejected, kind, count, first_rows in rows:
        if path not in files:
            files.append(path)
            if len(files) > MAX_REJECTED_FILES:
                break
            when = f"{at:%Y-%m-%d %H:%M:%S} UTC"
            if status == "rejected":
                lines.append(f"  {message} (rejected whole, {when})")
                continue
            lines.append(f"  {path}: {rejected:,} of {read:,} rows rejected ({when})")
        if kind is not None:
            shown = ", ".join(map(str, first_rows)) + (", ..." if count > len(first_rows) else "")
            lines.append(f"      {count:>7,}  {kind} (row{'s' if count > 1 else ''} {shown})")
    total = len({row[0] for row in rows})
    if total > MAX_REJECTED_FILES:
        lines.append(f"  ... and {total - MAX_REJECTED_FILES:,} more files (audit.ingested_files,"
                     " audit.rejected_rows)")
    return lines


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{schema}.{name}" for schema, name in con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "union all select schema_name, view_name from duckdb_views()").fetchall()}


def _freshness_as_of(con: duckdb.DuckDBPyConnection, tables: set[str],
                     settings: Settings) -> tuple[date, str]:
    """The as_of the marts were built for: the last run that did not fail."""
    if "audit.runs" in tables:
        row = con.execute("select as_of from audit.runs where outcome <> 'failed' "
                          "and as_of is not null order by started_at desc limit 1").fetchone()
        if row:
            return row[0], "the last successful run"
    return settings.as_of, "FLEXWH_AS_OF"


def report_lines(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """Every section of the status, from a read-only connection."""
    tables = _tables(con)
    lines: list[str] = []
    refused = [(r.started_at, r.outcome, r.exit_code, r.trigger, r.as_of, r.files_loaded,
                r.files_rejected, r.rows_loaded, r.rows_rejected, r.checks_failed_error,
                r.checks_failed_warn, r.published, r.message)
               for r in refused_records(settings)]  # not in audit.runs until the next run
    if "audit.runs" in tables or refused:
        recorded = con.execute(RUNS, [LAST_RUNS]).fetchall() if "audit.runs" in tables else []
        runs = sorted(recorded + refused, key=lambda run: run[0], reverse=True)[:LAST_RUNS]
        lines.append(f"last runs ({len(runs)} shown, newest first; errors and warnings: "
                     "checks failed)")
        lines += _run_lines(runs) if runs else ["  none recorded yet"]
    if "audit.ingested_files" not in tables:
        return [*lines, f"warehouse {settings.warehouse} has no ingested files yet"]
    last = con.execute(LAST_RUN).fetchone()
    if last is None:
        return [*lines, f"warehouse {settings.warehouse} has no ingested files yet"]
    lines.append(f"last ingest run {last[0]} at {last[1]:%Y-%m-%d %H:%M:%S} UTC: files")
    lines += _feed_table(con.execute(PER_FEED.format(where="where run_id = ?"), [last[0]])
                         .fetchall())
    lines.append("all runs: files")
    lines += _feed_table(con.execute(PER_FEED.format(where="")).fetchall())
    [(rejected,)] = con.execute("select count(*) from audit.ingested_files "
                                "where status = 'rejected' or rows_rejected > 0").fetchall()
    if rejected:
        lines.append(f"{rejected:,} files had rejections: `flexwh status --rejections` "
                     "says why, file by file")
    if "marts.dim_team" not in tables:
        return [*lines, "data freshness: no marts yet (a run builds them)"]
    as_of, source = _freshness_as_of(con, tables, settings)
    teams = con.execute(FRESHNESS, [as_of]).fetchall()
    lines.append(f"data freshness: last usage day per team, days behind as of "
                 f"{as_of.isoformat()} ({source})")
    lines += _freshness_lines(teams, as_of) if teams else ["  no teams yet"]
    if "marts.fct_alerts" in tables:
        lines += alert_lines(con.execute(ALERTS).fetchall())
    return lines


ALERTS = """
select team, severity, alert_type, message, is_new from marts.fct_alerts
order by severity = 'critical' desc, team, alert_type, subject
"""
ALERTS_SHOWN = 20


def alert_lines(rows: list[tuple]) -> list[str]:
    """The alerts of the last build, critical first (insights.md); new ones marked."""
    critical = sum(1 for row in rows if row[1] == "critical")
    lines = [f"alerts: {len(rows)} ({critical} critical, {len(rows) - critical} warnings)"]
    lines += [f"  {severity:<8} {team}: {kind}{' (new)' if new else ''}: {message}"
              for team, severity, kind, message, new in rows[:ALERTS_SHOWN]]
    if len(rows) > ALERTS_SHOWN:
        lines.append(f"  and {len(rows) - ALERTS_SHOWN} more (marts.fct_alerts)")
    return lines


def print_status(settings: Settings, write: Callable[[str], None] = print,
                 rejections: bool = False) -> int:
    path = settings.warehouse
    if not path.exists():
        write(f"no warehouse yet at {path}: run `flexwh run` (or `flexwh demo`)")
        return 0
    running = holder(settings)
    try:
        # Read-only: status never blocks on, or disturbs, a run that is writing.
        con = duckdb.connect(str(path), read_only=True, config=settings.duckdb_config())
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        who = holder_text(running, "a run") if running else "another process"
        write(f"{who} is writing the warehouse {path}; status is available when it ends")
        return 0
    try:
        if running:
            write(f"{holder_text(running, 'a run')} is on: figures are as of its last "
                  "finished step")
        if rejections:
            lines = (rejection_lines(con) if "audit.ingested_files" in _tables(con)
                     else ["nothing ingested yet"])
        else:
            lines = report_lines(con, settings)
        for line in lines:
            write(line)
    finally:
        con.close()
    return 0
