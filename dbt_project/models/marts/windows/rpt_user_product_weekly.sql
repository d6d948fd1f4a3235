with

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- All history up to as_of (fct_daily_usage stops there: the week holding as_of counts the
-- days up to it); ISO weeks starting on Monday.
weekly_usage as (

    select
        team,
        user_key,
        product_name,
        {{ iso_week_start('day_used') }} as week_start,
        count(distinct day_used) as days_used,
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
        days_used,
        tokens

    from weekly_usage

)

select * from final
