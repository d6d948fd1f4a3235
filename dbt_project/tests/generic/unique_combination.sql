{#- Compound primary key: no two rows share the values of `columns` (without dbt_utils,
    which would need `dbt deps` and the package hub). -#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as n_rows

from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
