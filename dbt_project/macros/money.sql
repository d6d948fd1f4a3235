{#- An amount of money as DECIMAL(18,2), rounded half-up; NULL when it is beyond what
    DECIMAL(18,2) holds (a valid price of up to 10^12 times a large day of tokens can get
    there: better an unknown amount than a run that fails). `amount` must be exact, e.g.
    a sum of DECIMAL(38,9) token costs. -#}
{% macro money(amount) -%}
    case
        when abs(round({{ amount }}, 2)) < 10000000000000000
            then cast(round({{ amount }}, 2) as decimal(18, 2))
    end
{%- endmacro %}
