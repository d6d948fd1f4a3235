{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
-- insights.md, Chargeback: tokens, users and their cost per team, month and cost centre,
-- for the month holding as_of and the 12 before it, where there is usage. amount is
-- Σ tokens × that day's token price, rounded half-up to 2 decimals once per row; NULL when
-- a day with tokens has no price. amount and currency are NULL when the row's days are
-- priced in more than one currency.
with

priced as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'day_used') }} as date) as month  -- noqa: RF04

    from {{ ref('int_priced_daily_usage') }}

),

final as (

    select  -- noqa: ST06
        team,
        month,  -- noqa: RF04
        cost_center,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens_used,
        count(distinct user_key) as users,  -- noqa: RF04
        case
            when count(distinct currency) > 1 then null
            when sum(case when tokens_used > 0 and token_price is null then 1 else 0 end) > 0
                then null
            else {{ money('sum(token_cost)') }}
        end as amount,
        case when count(distinct currency) = 1 then max(currency) end as currency

    from priced
    group by team, month, cost_center  -- noqa: RF04

)

select * from final
