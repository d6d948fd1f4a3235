-- Per period (month or last_30_days) and the three grains the window marts need: tokens,
-- and days of use counted once per grain (a user of two versions of a product on a day
-- uses the product one day). One pass over the usage rows instead of one per mart.
with

periods as (

    select * from {{ ref('int_window_usage_periods') }}

),

by_version as (

    select
        team,
        user_key,
        product_name,
        version,
        period_kind,
        period_start,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens_used,
        count(*) as days_used  -- fct_daily_usage has one row per day at this grain

    from periods
    group by team, user_key, product_name, version, period_kind, period_start

),

-- Days are counted in two steps (one row per day, then rows): far cheaper in DuckDB than
-- count(distinct) over millions of rows.
product_days as (

    select
        team,
        user_key,
        product_name,
        period_kind,
        period_start,
        day_used,
        sum(tokens_used) as tokens_used

    from periods
    group by team, user_key, product_name, period_kind, period_start, day_used

),

by_product as (

    select
        team,
        user_key,
        product_name,
        cast(null as varchar) as version,  -- noqa: RF04
        period_kind,
        period_start,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens_used,
        count(*) as days_used

    from product_days
    group by team, user_key, product_name, period_kind, period_start

),

user_days as (

    select
        team,
        user_key,
        period_kind,
        period_start,
        day_used,
        sum(tokens_used) as tokens_used

    from product_days
    group by team, user_key, period_kind, period_start, day_used

),

by_user as (

    select
        team,
        user_key,
        cast(null as varchar) as product_name,
        cast(null as varchar) as version,  -- noqa: RF04
        period_kind,
        period_start,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens_used,
        count(*) as days_used

    from user_days
    group by team, user_key, period_kind, period_start

),

final as (

    select
        'version' as grain,
        *
    from by_version
    union all
    select
        'product' as grain,
        *
    from by_product
    union all
    select
        'user' as grain,
        *
    from by_user

)

select * from final
