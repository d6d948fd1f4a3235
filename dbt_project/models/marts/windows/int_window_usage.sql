{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
-- Usage per report window at three grains (`grain`: version = team, user, product and
-- version; product = team, user and product; user = team and user): Σ tokens and days of
-- use (a user of two versions of a product on a day uses the product one day).
--
-- One aggregation of the usage rows, per period: each month of last_12_months (the
-- longest month window) and one last_30_days period. The product and user grains come from
-- the version grain's day sets (macros/day_set.sql), never from the usage rows again. The
-- month windows all end with M, so one pass over the monthly rows sums every window: a
-- month counts in each window starting on or before it, and days never straddle months.
with

report_windows as (

    select * from {{ ref('dim_report_window') }}

),

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- The window bounds are constants (macros/report_window_dates.sql, as dim_report_window),
-- so these filters run in the scans of the usage rows. The months of last_12_months hold
-- those of every month window.
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

version_periods as (

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

product_periods as (

    select
        team,
        user_key,
        product_name,
        period_kind,
        period_start,
        sum(tokens_used) as tokens_used,
        {{ day_set_union('used_days') }} as used_days

    from version_periods
    group by team, user_key, product_name, period_kind, period_start

),

user_periods as (

    select
        team,
        user_key,
        period_kind,
        period_start,
        sum(tokens_used) as tokens_used,
        {{ day_set_union('used_days') }} as used_days

    from product_periods
    group by team, user_key, period_kind, period_start

),

periods as (

    select
        'version' as grain,
        team,
        user_key,
        product_name,
        version,
        period_kind,
        period_start,
        tokens_used,
        days_used

    from version_periods

    union all

    select
        'product' as grain,
        team,
        user_key,
        product_name,
        cast(null as varchar) as version,  -- noqa: RF04
        period_kind,
        period_start,
        tokens_used,
        {{ day_set_size('used_days') }} as days_used

    from product_periods

    union all

    select
        'user' as grain,
        team,
        user_key,
        cast(null as varchar) as product_name,
        cast(null as varchar) as version,  -- noqa: RF04
        period_kind,
        period_start,
        tokens_used,
        {{ day_set_size('used_days') }} as days_used

    from user_periods

),

-- One row per grain's key: Σ per window (the bounds of dim_report_window,
-- macros/report_window_dates.sql), null when the key has no row in the window.
window_sums as (

    select
        grain,
        team,
        user_key,
        product_name,
        version,
        {% for months in [3, 6, 9, 12] %}
            {% for measure in ['tokens', 'days'] %}
                sum(
                    case
                        when
                            period_kind = 'month'
                            and period_start >= {{ report_window_start(as_of, months) }}
                            then {{ measure }}_used
                    end
                ) as {{ measure }}_{{ months }},
            {% endfor %}
        {% endfor %}
        sum(case when period_kind = 'last_30_days' then tokens_used end) as tokens_30,
        sum(case when period_kind = 'last_30_days' then days_used end) as days_30

    from periods
    group by grain, team, user_key, product_name, version

),

-- One row per key and window it was used in.
window_usage as (

    select
        window_sums.grain,
        window_sums.team,
        report_windows.window_key,
        report_windows.as_of_date,
        report_windows.start_date,
        report_windows.end_date,
        report_windows.months,
        window_sums.user_key,
        window_sums.product_name,
        window_sums.version,
        case report_windows.window_key
            when 'last_30_days' then window_sums.tokens_30
            when 'last_3_months' then window_sums.tokens_3
            when 'last_6_months' then window_sums.tokens_6
            when 'last_9_months' then window_sums.tokens_9
            when 'last_12_months' then window_sums.tokens_12
        end as tokens_used,
        case report_windows.window_key
            when 'last_30_days' then window_sums.days_30
            when 'last_3_months' then window_sums.days_3
            when 'last_6_months' then window_sums.days_6
            when 'last_9_months' then window_sums.days_9
            when 'last_12_months' then window_sums.days_12
        end as days_used

    from window_sums
    cross join report_windows

),

final as (

    select
        grain,
        team,
        window_key,
        as_of_date,
        start_date,
        end_date,
        months,
        user_key,
        product_name,
        version,
        cast(tokens_used as decimal(18, 3)) as tokens_used,
        cast(days_used as bigint) as days_used

    from window_usage
    where days_used is not null

)

select * from final
