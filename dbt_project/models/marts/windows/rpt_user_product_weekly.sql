with

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- All history up to as_of (fct_daily_usage stops there: the week holding as_of counts the
-- days up to it); ISO weeks starting on Monday. Days of use are counted in one aggregation
-- with day sets (macros/day_set.sql): versions of a product on the same day count once.
weekly_usage as (

    select
        team,
        user_key,
        product_name,
        {{ iso_week_start('day_used') }} as week_start,
        {{ day_set('day_used', iso_week_start('day_used')) }} as used_days,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens

    from daily_usage
    group by team, user_key, product_name, {{ iso_week_start('day_used') }}

),

final as (

    select
        team,
        user_key,
        product_name,
        week_start,
        {{ day_set_size('used_days') }} as days_used,
        tokens

    from weekly_usage

)

select * from final
