with

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- One row per product and day first (versions folded): counting rows then is far cheaper
-- than count(distinct) over every usage row.
product_days as (

    select
        team,
        user_key,
        product_name,
        day_used,
        sum(tokens_used) as tokens_used

    from daily_usage
    group by team, user_key, product_name, day_used

),

-- All history up to as_of (fct_daily_usage stops there: the week holding as_of counts the
-- days up to it); ISO weeks starting on Monday.
weekly_usage as (

    select
        team,
        user_key,
        product_name,
        {{ iso_week_start('day_used') }} as week_start,
        count(*) as days_used,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens

    from product_days
    group by team, user_key, product_name, {{ iso_week_start('day_used') }}

),

final as (

    select
        team,
        user_key,
        product_name,
        week_start,
        days_used,
        tokens

    from weekly_usage

)

select * from final
