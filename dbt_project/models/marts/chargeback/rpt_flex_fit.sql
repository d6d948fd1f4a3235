{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
-- insights.md, Flex fit: per user and product used in the last_12_months window, what the
-- year cost on Flex (tokens × each day's token price) against one named subscription of
-- the product (its price on as_of: the team's own row, else `*`; products matched without
-- regard to case). `subscription` when Flex cost more, `flex` otherwise, `unknown` when a
-- price is missing or the two are in different currencies (savings 0).
with

window_bounds as (

    select
        start_date,
        end_date

    from {{ ref('dim_report_window') }}
    where window_key = 'last_12_months'

),

usage as (

    select priced.*

    from {{ ref('int_priced_daily_usage') }} as priced
    inner join window_bounds
        on priced.day_used >= window_bounds.start_date and priced.day_used <= window_bounds.end_date

),

product_prices as (

    select * from {{ ref('int_price_periods') }}
    where
        item_key <> 'token'
        and valid_from <= {{ as_of }}
        and (valid_to is null or valid_to >= {{ as_of }})

),

users as (

    select
        team,
        user_key,
        user_name

    from {{ ref('int_user_identities') }}

),

flex as (

    select  -- noqa: ST06
        team,
        user_key,
        product_name,
        count(distinct day_used) as days_used,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens_used,
        case
            when count(distinct currency) > 1 then null
            when sum(case when tokens_used > 0 and token_price is null then 1 else 0 end) > 0
                then null
            else {{ money('sum(token_cost)') }}
        end as flex_cost,
        case when count(distinct currency) = 1 then max(currency) end as flex_currency,
        count(distinct currency) as currencies

    from usage
    group by team, user_key, product_name

),

costed as (

    select
        flex.*,
        cast(round(coalesce(team_price.price, any_team_price.price), 2) as decimal(18, 2))
            as subscription_cost,
        case
            when team_price.price is not null then team_price.currency
            else any_team_price.currency
        end as subscription_currency

    from flex
    left join product_prices as team_price
        on flex.team = team_price.team and lower(flex.product_name) = team_price.item_key
    left join product_prices as any_team_price
        on any_team_price.team = '*' and lower(flex.product_name) = any_team_price.item_key

),

recommended as (

    select
        *,
        case
            when
                flex_cost is null
                or subscription_cost is null
                or flex_currency <> subscription_currency
                then 'unknown'
            when flex_cost > subscription_cost then 'subscription'
            else 'flex'
        end as recommendation

    from costed

),

final as (

    select
        recommended.team,
        {{ as_of }} as as_of_date,
        recommended.user_key,
        users.user_name,
        recommended.product_name,
        recommended.days_used,
        recommended.tokens_used,
        cast(recommended.flex_cost as decimal(18, 2)) as flex_cost,
        recommended.subscription_cost,
        case
            when recommended.currencies > 1 then null
            when recommended.flex_currency is null then recommended.subscription_currency
            when
                recommended.subscription_currency is null
                or recommended.flex_currency = recommended.subscription_currency
                then recommended.flex_currency
        end as currency,
        recommended.recommendation,
        cast(
            case
                when recommended.recommendation = 'subscription'
                    then recommended.flex_cost - recommended.subscription_cost
                else 0
            end as decimal(18, 2)
        ) as savings

    from recommended
    left join users
        on recommended.team = users.team and recommended.user_key = users.user_key

)

select * from final
