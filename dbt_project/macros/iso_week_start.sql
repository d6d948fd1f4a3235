{#- The Monday starting the ISO week of the date `day` (metrics.md: weeks start on Monday),
    as a DATE. DuckDB-specific: its date_trunc('week') is the ISO week and returns a
    timestamp; Spark's date_trunc('week') is Monday too, while Snowflake's follows the
    WEEK_START parameter, hence a macro rather than dbt.date_trunc. -#}
{% macro iso_week_start(day) -%}
    cast(date_trunc('week', {{ day }}) as date)
{%- endmacro %}
