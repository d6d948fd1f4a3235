{#- True when `expression` contains `word` as a whole word, ignoring case: `\bword\b` with
    word characters being ASCII letters, digits and `_` (feeds.md, token packs). The
    boundary is spelled out as a character class rather than `\b`, whose meaning differs
    between regex engines (RE2 in DuckDB is ASCII, Java in Spark is Unicode-aware).
    DuckDB-specific (regexp_matches with the 'i' option): the one place to port. -#}
{% macro contains_word(expression, word) -%}
    regexp_matches({{ expression }}, '(^|[^A-Za-z0-9_]){{ word }}([^A-Za-z0-9_]|$)', 'i')
{%- endmacro %}
