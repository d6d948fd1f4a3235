"""Parse and validate the cells of a batch in SQL, then load valid rows into the raw table
and the others into audit.rejected_rows, with reasons that name the column and problem."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb

from ingest.cells import CELLS
from ingest.feeds import DATE, TEXT, Column, Feed
from ingest.headers import HeaderMatch
from ingest.schema import LINEAGE_COLUMNS
from ingest.values import FAST_PATHS, WHITESPACE_CLASS

PARSED = "_flex_parsed"
FILES = "_flex_files"  # _file, file_seq, sha256, rel_path of the batch

# token_events: the event types that use (and so validate) a column, and that require it.
_EVENT_COLUMN_USE = {
    "subscription_id": (("move", "adjustment"), ("move", "adjustment")),
    "from_team": (("move", "merge"), ("merge",)),
    "to_team": (("move", "merge"), ("move", "merge")),
    "tokens": (("adjustment",), ("adjustment",)),
}
# Every token sum of the marts is DECIMAL(18,3), below 10^15, as each value is: the tokens
# a feed holds are kept below that too, so that no delivery of valid values can make a
# later build overflow. Usage stands alone; pack sizes and adjustments add up together.
TOKEN_LIMIT = Decimal(10) ** 15
_LEDGER_TOTALS = ("select sum(seat_quantity) from raw.subscriptions",
                  "select sum(abs(tokens)) from raw.token_events")
_TOKEN_TOTALS = {
    "usage": ("tokens_used", ("select sum(tokens_used) from raw.usage",)),
    "subscriptions": ("seat_quantity", _LEDGER_TOTALS),
    "token_events": ("tokens", _LEDGER_TOTALS),
}
_IDENTITY_COLUMNS = {
    "usage": ("autodesk_id", "hashed_autodesk_id", "email"),
    "users": ("autodesk_id", "email"),
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text(name: str) -> str:
    """The cleaned text of a canonical column (typed values take the plain name)."""
    return f"t_{name}"


def _types_in(types: tuple[str, ...]) -> str:
    return "flex_event_type(t_event_type) in (" + ", ".join(_quote(t) for t in types) + ")"


def _problem(column: Column) -> str:
    text = _text(column.name)
    problem = f"flex_{column.kind}_problem({text})"
    message = f"case when {problem} is not null then " \
              f"'{column.name}: ' || {problem} || ': ' || flex_quote({text}) end"
    if column.kind not in FAST_PATHS:
        return message
    pattern, cast = FAST_PATHS[column.kind]
    # A fast shape has no problem, but for a date that does not exist (2026-02-31) or is
    # out of range.
    typed = cast.format(text)
    in_range = f"flex_date_range_problem({typed})" if column.kind == DATE else "null"
    return (f"case when {text} is null then null "
            f"when regexp_full_match({text}, {_quote(pattern)}) then "
            f"case when {typed} is null then "
            f"'{column.name}: not a date: ' || flex_quote({text}) "
            f"when {in_range} is not null then "
            f"'{column.name}: ' || {in_range} || ': ' || flex_quote({text}) end "
            f"else {message} end")


def _value(column: Column) -> str:
    text = _text(column.name)
    if column.kind == TEXT:
        return text
    if column.kind not in FAST_PATHS:
        return f"flex_{column.kind}({text})"
    pattern, cast = FAST_PATHS[column.kind]
    return (f"case when regexp_full_match({text}, {_quote(pattern)}) then {cast.format(text)} "
            f"else flex_{column.kind}({text}) end")


def _value_and_problems(feed: Feed, column: Column) -> tuple[str, list[str]]:
    text = _text(column.name)
    value = _value(column)
    problems = [_problem(column)] if column.kind != TEXT else []
    if column.required:
        problems.insert(0, f"case when {text} is null then '{column.name}: missing' end")
    if feed.name == "token_events" and column.name in _EVENT_COLUMN_USE:
        used_by, required_by = _EVENT_COLUMN_USE[column.name]
        used = _types_in(used_by)
        value = f"case when {used} then {value} end"
        problems = [f"case when {used} then {p} end" for p in problems]
        problems.insert(0, f"case when {_types_in(required_by)} and {text} is null then "
                           f"'{column.name}: missing (required for ' "
                           f"|| flex_event_type(t_event_type) || ')' end")
    if feed.name == "usage" and column.name == "version":
        value = f"coalesce({value}, '')"
    return value, problems


def _row_problems(feed: Feed) -> list[str]:
    problems = []
    if feed.name in _IDENTITY_COLUMNS:
        names = _IDENTITY_COLUMNS[feed.name]
        all_null = " and ".join(f"{_text(name)} is null" for name in names)
        problems.append(f"case when {all_null} then '{', '.join(names)}: no user identity' end")
    if feed.name == "subscriptions":
        problems.append("case when flex_date(t_end_date) < flex_date(t_start_date) then "
                        "'end_date: before start_date: ' || flex_quote(t_end_date) end")
    if feed.name == "token_events":
        problems.append("case when flex_event_type(t_event_type) = 'adjustment' "
                        "and flex_signed_tokens(t_tokens) = 0 "
                        "then 'tokens: 0 on an adjustment' end")
    return problems


def parse_cells(con: duckdb.DuckDBPyConnection, feed: Feed, match: HeaderMatch,
                room: Decimal | None = None) -> None:
    """Create the PARSED temp table: typed values, the row as JSON, `_extra` and `_reason`.

    `room`: the tokens this batch may still add (token_room); valid rows from the one that
    reaches it on are rejected.
    """
    width = len(match.cells)
    keys = match.row_keys()
    cleaned = [
        f"flex_clean(c{match.canonical[c.name] + 1}) as {_text(c.name)}"
        if c.name in match.canonical else f"cast(null as varchar) as {_text(c.name)}"
        for c in feed.columns
    ]
    row_json = "json_object(" + ", ".join(f"{_quote(k)}, c{i}" for i, k in enumerate(keys, 1)) + ")"
    extra = (
        "json_object(" + ", ".join(f"{_quote(k)}, c{p + 1}" for k, p in match.extra.items()) + ")"
        if match.extra else "cast(null as json)"
    )
    cells = ", ".join(f"c{i}" for i in range(1, width + 1))
    not_blank = f"regexp_matches(concat({cells}), '[^{WHITESPACE_CLASS[1:-1]}]')"
    values, problems = [], []
    for column in feed.columns:
        value, column_problems = _value_and_problems(feed, column)
        values.append(f"{value} as {column.name}")
        problems.extend(column_problems)
    problems.extend(_row_problems(feed))
    con.execute(
        f"""create or replace temp table {PARSED} as
        with cleaned as (
            select _file_seq, _row_number, {cells}, {', '.join(cleaned)}
            from {CELLS} where {not_blank}
        ),
        parsed as (
            select _file_seq, _row_number, {cells}, {extra} as _extra, {', '.join(values)},
                   concat_ws('; ', {', '.join(problems)}) as _reason
            from cleaned
        ),
        budgeted as ({_budgeted(feed, room)})
        select * exclude ({cells}),
               case when _reason <> '' then {row_json} end as _row  -- kept for rejects only
        from budgeted"""
    )


def _budgeted(feed: Feed, room: Decimal | None) -> str:
    if room is None:
        return "select * from parsed"
    column, _ = _TOKEN_TOTALS[feed.name]
    running = (f"sum(case when _reason = '' then coalesce(abs({column}), 0) else 0 end) "
               "over (order by _file_seq, _row_number)")
    reason = f"{column}: out of range: the tokens of the feed would add up to 10^15 or more"
    return (f"select * replace (case when _reason = '' and {running} >= {room} "
            f"then '{reason}' else _reason end as _reason) from parsed")


def token_room(con: duckdb.DuckDBPyConnection, feed: Feed) -> Decimal | None:
    """What the valid rows of the parsed batch may still add to the feed's tokens, when they
    would reach TOKEN_LIMIT; None when they fit (nearly always)."""
    if feed.name not in _TOKEN_TOTALS:
        return None
    column, totals = _TOKEN_TOTALS[feed.name]
    used = sum((con.execute(total).fetchall()[0][0] or 0 for total in totals), Decimal(0))
    [(batch,)] = con.execute(f"select coalesce(sum(abs({column})), 0) from {PARSED} "
                             "where _reason = ''").fetchall()
    return None if used + batch < TOKEN_LIMIT else TOKEN_LIMIT - used


def load_parsed(
    con: duckdb.DuckDBPyConnection, feed: Feed, run_id: str, ingested_at: datetime
) -> dict[str, tuple[int, int]]:
    """Insert valid rows into raw and invalid ones into audit; (loaded, rejected) per
    file_seq."""
    columns = [c.name for c in feed.columns]
    lineage = [name for name, _ in LINEAGE_COLUMNS]
    con.execute(
        f"""insert into {feed.raw_table} ({', '.join(columns + lineage)})
        select {', '.join('p.' + c for c in columns)},
               f.file_seq, f.sha256, f.rel_path, p._row_number, ?, p._extra
        from {PARSED} as p join {FILES} as f on p._file_seq = f.file_seq
        where p._reason = ''""",
        [ingested_at],
    )
    con.execute(
        f"""insert into audit.rejected_rows
        select ?, f.rel_path, f.sha256, p._row_number, p._row, p._reason, ?
        from {PARSED} as p join {FILES} as f on p._file_seq = f.file_seq
        where p._reason <> ''""",
        [feed.name, run_id],
    )
    counts = con.execute(
        f"""select _file_seq, count(*) filter (where _reason = ''),
                  count(*) filter (where _reason <> '')
        from {PARSED} group by _file_seq"""
    ).fetchall()
    return {seq: (loaded, rejected) for seq, loaded, rejected in counts}
