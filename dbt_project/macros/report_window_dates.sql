{#- The first and last day of a report window of metrics.md ("Time ranges") as of the DATE
    expression `as_of`, as DATE expressions: `months` none for last_30_days (as_of − 29 to
    as_of), else the month window of that many months (an integer or a SQL expression)
    ending with M, the last fully completed month. M is the month of as_of when as_of is
    its last day, otherwise the month before; either way M ends the day before the first
    of the month holding as_of + 1 day. One formula for dim_report_window and the window
    partials: with a literal as_of these are constants, so a filter on them is applied in
    the scan of the usage rows instead of in a join. Only dbt.dateadd and dbt.date_trunc
    (cast to date: dbt-duckdb returns timestamps). -#}
{% macro report_window_start(as_of, months=none) -%}
    {%- if months is none -%}
        cast({{ dbt.dateadd('day', -29, as_of) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('month', '-(' ~ months ~ ')', _month_after_m(as_of)) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro report_window_end(as_of, months=none) -%}
    {%- if months is none -%}
        cast({{ as_of }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', -1, _month_after_m(as_of)) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- The first day of month M + 1. -#}
{% macro _month_after_m(as_of) -%}
    cast({{ dbt.date_trunc('month', dbt.dateadd('day', 1, as_of)) }} as date)
{%- endmacro %}

