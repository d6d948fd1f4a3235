{#- Distinct days of use in one aggregation, without count(distinct) or a row per day
    first: a day set is a BIGINT whose bit n is set when the group has a row on day n of
    its period (0 ≤ n ≤ 62: a day of a month, of an ISO week, of the 30 days). Rows on
    the same day (two versions of a product, two products of a user) set the same bit, so
    the size of the union of the sets is the number of distinct days, and sets of smaller
    groups combine into larger ones (version → product → user) exactly. In DuckDB this is
    several times faster than count(distinct) over millions of rows, and than grouping by
    day first. DuckDB-specific (<<, bit_or, bit_count, date − date): Snowflake has BITSHIFTLEFT and
    BITOR_AGG, Postgres bit_or and bit_count on a bit(64) cast. -#}

{#- Aggregate: the set of the group's days `day` (DATE), numbered from `first_day`, the
    first day of the group's period (day − first_day from 0 to 62; DuckDB subtracts dates
    in days, without dbt.datediff's casts to timestamp). -#}
{% macro day_set(day, first_day) -%}
    bit_or(cast(1 as bigint) << (({{ day }}) - ({{ first_day }})))
{%- endmacro %}

{#- Aggregate: the union of the group's day sets. -#}
{% macro day_set_union(day_set) -%}
    bit_or({{ day_set }})
{%- endmacro %}

{#- The number of days in a day set, as a BIGINT. -#}
{% macro day_set_size(day_set) -%}
    cast(bit_count({{ day_set }}) as bigint)
{%- endmacro %}
