{#- `numerator` / `denominator` rounded half away from zero (half-up for the non-negative
    token sums: 5.005 → 5.01) to `scale` decimals, computed exactly, as DECIMAL(18, scale).
    `numerator` is a DECIMAL of `numerator_scale` decimals (tokens: 3) and `denominator` a
    positive integer (months). DuckDB divides decimals in DOUBLE (15.015 / 3 rounds to 5.0),
    so the quotient is taken on integers: n = numerator in units of 10^-numerator_scale,
    d = denominator in units of 10^-scale of the result, q = (2|n| + d) div (2d).
    DuckDB-specific (HUGEINT and `//`): Spark would cast to decimal(38, 0) and use `div`. -#}
{% macro divide_half_up(numerator, denominator, numerator_scale=3, scale=2) -%}
    {#- widened first: a DECIMAL(18, 3) times 1000 overflows from 10^12 tokens on -#}
    {%- set n = 'cast(cast((' ~ numerator ~ ') as decimal(38, ' ~ numerator_scale ~ ')) * '
        ~ (10 ** numerator_scale) ~ ' as hugeint)' -%}
    {%- set d = '(cast(' ~ denominator ~ ' as hugeint) * ' ~ (10 ** (numerator_scale - scale)) ~ ')' -%}
    cast(
        cast(sign({{ n }}) * ((2 * abs({{ n }}) + {{ d }}) // (2 * {{ d }})) as decimal(38, 0))
        * cast({{ 10.0 ** -scale }} as decimal(18, {{ scale }}))
        as decimal(18, {{ scale }})
    )
{%- endmacro %}
