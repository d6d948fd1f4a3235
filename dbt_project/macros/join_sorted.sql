{#- Aggregate: the group's values of `expression` (give it distinct values) joined with
    `separator` in code-point order, whatever the collation: UTF-8 bytes compare in
    code-point order, so the values are ordered by their bytes (encode) rather than by
    text. DuckDB-specific (string_agg ... order by, encode): Spark would be
    array_join(array_sort(collect_set(expression)), separator), strings comparing by bytes. -#}
{% macro join_sorted(expression, separator=', ') -%}
    string_agg({{ expression }}, '{{ separator }}' order by encode({{ expression }}))
{%- endmacro %}
