{#- Aggregate: the value of `expression` on the row with the greatest `order_by` among the
    group's rows where `condition` holds (default: `expression` is not NULL); NULL when
    none does. A NULL value of that row is kept, so two calls with the same condition take
    a pair of columns from the same row (first and last name).
    DuckDB-specific (arg_max_null; plain arg_max skips NULL values):
    Spark would be max_by(expression, order_by) filter (where condition). -#}
{% macro latest_where(expression, order_by, condition=none) -%}
    {%- set condition = condition or expression ~ ' is not null' -%}
    arg_max_null({{ expression }}, {{ order_by }}) filter (where {{ condition }})
{%- endmacro %}
