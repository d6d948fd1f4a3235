{%- set next_valid_from =
    'lead(valid_from) over (partition by lower(item), team order by valid_from)' %}
-- insights.md, Chargeback: each price row valid from its valid_from to the day before the
-- next row of the same item (any case) and team (`*` rows and a team's own rows are separate lines:
-- a team's own row wins over `*` where both have one, int_priced_daily_usage).
with

prices as (

    select * from {{ ref('stg_company__prices') }}

),

final as (

    select
        item,
        lower(item) as item_key,
        team,
        valid_from,
        cast({{ dbt.dateadd('day', -1, next_valid_from) }} as date) as valid_to,
        price,
        currency

    from prices

)

select * from final
