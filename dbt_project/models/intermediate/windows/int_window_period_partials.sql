{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
-- Per period (each month of last_12_months, the longest month window, and one
-- last_30_days period) and the three grains the window marts need: tokens, and days of use
-- counted once per grain (a user of two versions of a product on a day uses the product
-- one day). One aggregation of the usage rows; the product and user grains are derived
-- from the version grain's day sets (macros/day_set.sql), never from the usage rows again.
with

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- The window bounds are constants (macros/report_window_dates.sql, as dim_report_window),
-- so these filters run in the scans of the usage rows.
month_usage as (

    select
        team,
        user_key,
        product_name,
        version,
        day_used,
        tokens_used,
        'month' as period_kind,
        cast({{ dbt.date_trunc('month', 'day_used') }} as date) as period_start

    from daily_usage
    where
        day_used between {{ report_window_start(as_of, 12) }}
        and {{ report_window_end(as_of, 12) }}

),

last_30_days_usage as (

    select
        team,
        user_key,
        product_name,
        version,
        day_used,
        tokens_used,
        'last_30_days' as period_kind,
        {{ report_window_start(as_of) }} as period_start

    from daily_usage
    where day_used between {{ report_window_start(as_of) }} and {{ report_window_end(as_of) }}

),

period_usage as (

    select * from month_usage
    union all
    select * from last_30_days_usage

),

by_version as (

    select
        team,
        user_key,
        product_name,
        version,
        period_kind,
        period_start,
        sum(tokens_used) as tokens_used,
        count(*) as days_used,  -- fct_daily_usage has one row per day at this grain
        {{ day_set('day_used', 'period_start') }} as used_days

    from period_usage
    group by team, user_key, product_name, version, period_kind, period_start

),

by_product as (

    select
        team,
        user_key,
        product_name,
        period_kind,
        period_start,
        sum(tokens_used) as tokens_used,
        {{ day_set_union('used_days') }} as used_days

    from by_version
    group by team, user_key, product_name, period_kind, period_start

),

by_user as (

    select
        team,
        user_key,
        period_kind,
        period_start,
        sum(tokens_used) as tokens_used,
        {{ day_set_union('used_days') }} as used_days

    from by_product
    group by team, user_key, period_kind, period_start

),

final as (

    select
        'version' as grain,
        team,
        user_key,
        product_name,
        version,
        period_kind,
        period_start,
        cast(tokens_used as decimal(18, 3)) as tokens_used,
        days_used

    from by_version

    union all

    select
        'product' as grain,
        team,
        user_key,
        product_name,
        cast(null as varchar) as version,  -- noqa: RF04
        period_kind,
        period_start,
        cast(tokens_used as decimal(18, 3)) as tokens_used,
        {{ day_set_size('used_days') }} as days_used

    from by_product

    union all

    select
        'user' as grain,
        team,
        user_key,
        cast(null as varchar) as product_name,
        cast(null as varchar) as version,  -- noqa: RF04
        period_kind,
        period_start,
        cast(tokens_used as decimal(18, 3)) as tokens_used,
        {{ day_set_size('used_days') }} as days_used

    from by_user

)

select * from final
