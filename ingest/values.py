"""Value rules of feeds.md as DuckDB macros, so that parsing runs set-based in SQL.

Each kind has a `flex_<kind>(v)` macro that returns the typed value (NULL when the text is
not valid) and a `flex_<kind>_problem(v)` macro that names what is wrong (NULL when valid).
Both take text already cleaned by `flex_clean`. `clean_text` is the same trimming in Python
for header cells and spreadsheet values.
"""

from __future__ import annotations

import duckdb

# Unicode white space (str.isspace) that cells are trimmed of, and Autodesk's PII mask.
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
MASK = "*****"

WHITESPACE_SQL = "'" + WHITESPACE + "'"  # a SQL literal for trim(v, chars)
# The same set as a regular-expression class: trim() with a set of characters is slow, so
# it only runs on the rare values that start or end with white space.
WHITESPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
_DATE_PATTERN = (
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$"
)
_NUMBER_PATTERN = r"^([+-]?)(\d+)(?:\.(\d+))?$"
# Dates outside this range are rejected: no Autodesk export holds one, and a year 0 or
# 9999 would break the date arithmetic of the ledger (Python dates end at 9999-12-31).
DATE_RANGE = ("1900-01-01", "2999-12-31")
TRUE_WORDS = ("true", "yes", "y", "1", "on")
FALSE_WORDS = ("false", "no", "n", "0", "off")
EVENT_TYPES = ("move", "merge", "adjustment")


def _sql_list(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{word}'" for word in words)


MACROS = f"""
-- Each reference to a macro argument evaluates it again, so the trimmed text is never
-- referenced twice on the common path (no white space at either end).
create or replace temp macro flex_clean(v) as
    case when v = '' or v = '{MASK}' then null
         when regexp_matches(v, '^{WHITESPACE_CLASS}|{WHITESPACE_CLASS}$')
         then nullif(nullif(trim(v, {WHITESPACE_SQL}), ''), '{MASK}')
         else v end;

create or replace temp macro flex_quote(v) as '''' || v || '''';

-- Dates: the date part, moved to UTC when an offset is given; NULL when not a date.
create or replace temp macro flex_date_parts(v) as
    regexp_extract(v, '{_DATE_PATTERN}', ['y', 'm', 'd', 'hh', 'mi', 'ss', 'tz']);
create or replace temp macro flex_offset_minutes(tz) as
    case when tz in ('', 'Z') then 0
         else (case when tz[1] = '-' then -1 else 1 end)
              * (cast(tz[2:3] as integer) * 60 + cast(tz[5:6] as integer)) end;
create or replace temp macro flex_date_of(p) as
    case
        when p.y = '' then null
        when p.hh <> '' and (cast(p.hh as integer) > 23 or cast(p.mi as integer) > 59) then null
        when p.ss <> '' and cast(p.ss as integer) > 59 then null
        when p.tz not in ('', 'Z') and (cast(p.tz[2:3] as integer) > 23
                                        or cast(p.tz[5:6] as integer) > 59) then null
        else try_cast(p.y || '-' || p.m || '-' || p.d as date)
             + cast(floor((coalesce(try_cast(nullif(p.hh, '') as integer), 0) * 60
                           + coalesce(try_cast(nullif(p.mi, '') as integer), 0)
                           - flex_offset_minutes(p.tz)) / 1440) as integer)
    end;
create or replace temp macro flex_date(v) as flex_date_of(flex_date_parts(v));
create or replace temp macro flex_date_range_problem(d) as
    case when d not between date '{DATE_RANGE[0]}' and date '{DATE_RANGE[1]}'
         then 'out of range ({DATE_RANGE[0]} to {DATE_RANGE[1]})' end;
create or replace temp macro flex_date_problem(v) as
    case when v is not null and flex_date(v) is null then 'not a date'
         when v is not null then flex_date_range_problem(flex_date(v)) end;

-- Token amounts and whole numbers: [+-]digits[.digits], at most 3 decimals, below 10^15.
create or replace temp macro flex_number_parts(v) as
    regexp_extract(v, '{_NUMBER_PATTERN}', ['sign', 'whole', 'frac']);
create or replace temp macro flex_number_problem(p, allow_negative, max_decimals) as
    case
        when p.whole = '' then 'not a number'
        when p.sign = '-' and not allow_negative then 'negative'
        when length(rtrim(p.frac, '0')) > max_decimals then
            case when max_decimals = 0 then 'not a whole number'
                 else 'more than ' || max_decimals || ' decimals' end
        when length(ltrim(p.whole, '0')) > 15 then 'out of range'
    end;
create or replace temp macro flex_decimal_of(p) as
    cast((case when p.sign = '-' then '-' else '' end)
         || coalesce(nullif(ltrim(p.whole, '0'), ''), '0')
         || '.' || coalesce(nullif(rtrim(p.frac, '0'), ''), '0') as decimal(18, 3));
create or replace temp macro flex_tokens_problem(v) as
    case when v is not null then flex_number_problem(flex_number_parts(v), false, 3) end;
create or replace temp macro flex_tokens(v) as
    case when v is not null and flex_tokens_problem(v) is null
         then flex_decimal_of(flex_number_parts(v)) end;
create or replace temp macro flex_signed_tokens_problem(v) as
    case when v is not null then flex_number_problem(flex_number_parts(v), true, 3) end;
create or replace temp macro flex_signed_tokens(v) as
    case when v is not null and flex_signed_tokens_problem(v) is null
         then flex_decimal_of(flex_number_parts(v)) end;
create or replace temp macro flex_whole_problem(v) as
    case when v is not null then flex_number_problem(flex_number_parts(v), false, 0) end;
create or replace temp macro flex_whole(v) as
    case when v is not null and flex_whole_problem(v) is null
         then cast(coalesce(nullif(ltrim(flex_number_parts(v).whole, '0'), ''), '0') as bigint)
    end;

-- Prices (insights.md): DECIMAL(18,6), never negative, at most 6 decimals, below 10^12.
create or replace temp macro flex_price_problem(v) as
    case when v is null then null
         when flex_number_problem(flex_number_parts(v), false, 6) is not null
         then flex_number_problem(flex_number_parts(v), false, 6)
         when length(ltrim(flex_number_parts(v).whole, '0')) > 12 then 'out of range' end;
create or replace temp macro flex_price(v) as
    case when v is not null and flex_price_problem(v) is null
         then cast((coalesce(nullif(ltrim(flex_number_parts(v).whole, '0'), ''), '0')
                    || '.' || coalesce(nullif(rtrim(flex_number_parts(v).frac, '0'), ''), '0'))
                   as decimal(18, 6)) end;

create or replace temp macro flex_boolean(v) as
    case when lower(v) in ({_sql_list(TRUE_WORDS)}) then true
         when lower(v) in ({_sql_list(FALSE_WORDS)}) then false end;
create or replace temp macro flex_boolean_problem(v) as
    case when v is not null and flex_boolean(v) is null then 'not a boolean' end;

create or replace temp macro flex_event_type(v) as
    case when lower(v) in ({_sql_list(EVENT_TYPES)}) then lower(v) end;
create or replace temp macro flex_event_type_problem(v) as
    case when v is not null and flex_event_type(v) is null then 'unknown event type' end;

create or replace temp macro flex_text(v) as v;
create or replace temp macro flex_text_problem(v) as cast(null as varchar);
"""


# The shapes nearly every delivered value has, parsed by a plain cast; the macros above
# (a dozen regular-expression calls once expanded) only see the other values.
FAST_PATHS = {
    # a date, or a UTC date-time (APS Insights writes 2026-01-10T00:00:00Z)
    "date": (r"\d{4}-\d{2}-\d{2}([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?Z?)?",
             "try_cast(left({}, 10) as date)"),
    "tokens": (r"\d{1,15}(\.\d{1,3})?", "cast({} as decimal(18, 3))"),
    "signed_tokens": (r"-?\d{1,15}(\.\d{1,3})?", "cast({} as decimal(18, 3))"),
    "whole": (r"\d{1,15}", "cast({} as bigint)"),
    "price": (r"\d{1,12}(\.\d{1,6})?", "cast({} as decimal(18, 6))"),
}


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the parsing macros on this connection (temporary, per connection)."""
    con.execute(MACROS)


def clean_text(value: str | None) -> str | None:
    """Python twin of flex_clean: trim Unicode white space; '' and the mask are NULL."""
    if value is None:
        return None
    trimmed = value.strip(WHITESPACE)
    return None if trimmed in ("", MASK) else trimmed
