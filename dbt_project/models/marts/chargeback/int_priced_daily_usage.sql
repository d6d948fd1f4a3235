{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
{%- set first_month = dbt.dateadd('month', -12, dbt.date_trunc('month', as_of)) %}
-- insights.md, Chargeback and Flex fit: the usage of the month holding as_of and the 12
-- before it, each row with that day's token price, its cost and currency (the team's own row, else
-- `*`, with the latest valid_from up to the day) and the user's cost centre on the day
-- ('(unassigned)' when none).
with

usage as (

    select * from {{ ref('fct_daily_usage') }}
    where day_used >= cast({{ first_month }} as date) and day_used <= {{ as_of }}

),

token_prices as (

    select * from {{ ref('int_price_periods') }}
    where item_key = 'token'

),

cost_centers as (

    select * from {{ ref('int_cost_center_periods') }}

),

final as (

    select
        usage.team,
        usage.day_used,
        usage.user_key,
        usage.product_name,
        usage.tokens_used,
        coalesce(team_price.price, any_team_price.price) as token_price,
        -- Exact, and never over DECIMAL's 38 digits: tokens < 10^15, prices < 10^12.
        cast(usage.tokens_used as decimal(38, 3))
        * cast(coalesce(team_price.price, any_team_price.price) as decimal(38, 6))
            as token_cost,
        case
            when team_price.price is not null then team_price.currency
            else any_team_price.currency
        end as currency,
        coalesce(cost_centers.cost_center, '(unassigned)') as cost_center

    from usage
    left join token_prices as team_price
        on
            usage.team = team_price.team
            and usage.day_used >= team_price.valid_from
            and (team_price.valid_to is null or usage.day_used <= team_price.valid_to)
    left join token_prices as any_team_price
        on
            any_team_price.team = '*'
            and usage.day_used >= any_team_price.valid_from
            and (any_team_price.valid_to is null or usage.day_used <= any_team_price.valid_to)
    left join cost_centers
        on
            usage.team = cost_centers.team
            and usage.user_key = cost_centers.user_key
            and usage.day_used >= cost_centers.valid_from
            and (cost_centers.valid_to is null or usage.day_used <= cost_centers.valid_to)

)

select * from final
