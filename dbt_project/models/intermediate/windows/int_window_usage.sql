-- Usage per report window at three grains (`grain`: version = team, user, product and
-- version; product = team, user and product; user = team and user): Σ tokens and days of
-- use, from the period partials of the window (its months, or the last_30_days period).
with

report_windows as (

    select * from {{ ref('dim_report_window') }}

),

partials as (

    select * from {{ ref('int_window_period_partials') }}

),

periods as (

    select distinct
        period_kind,
        period_start

    from partials

),

-- The periods of each window (a few dozen rows), so that the partials join them on
-- equality rather than on a date range.
window_periods as (

    select
        report_windows.window_key,
        periods.period_kind,
        periods.period_start

    from periods
    inner join report_windows
        on
            (
                report_windows.window_key = 'last_30_days'
                and periods.period_kind = 'last_30_days'
            )
            or (
                report_windows.window_key != 'last_30_days'
                and periods.period_kind = 'month'
                and periods.period_start between report_windows.start_date
                and report_windows.end_date
            )

),

-- Days never straddle periods, so the sums of the periods' days are exact.
window_usage as (

    select
        partials.grain,
        partials.team,
        window_periods.window_key,
        partials.user_key,
        partials.product_name,
        partials.version,
        cast(sum(partials.tokens_used) as decimal(18, 3)) as tokens_used,
        cast(sum(partials.days_used) as bigint) as days_used

    from partials
    inner join window_periods
        on
            partials.period_kind = window_periods.period_kind
            and partials.period_start = window_periods.period_start
    group by
        partials.grain, partials.team, window_periods.window_key, partials.user_key,
        partials.product_name, partials.version

),

final as (

    select
        window_usage.grain,
        window_usage.team,
        window_usage.window_key,
        report_windows.as_of_date,
        report_windows.start_date,
        report_windows.end_date,
        report_windows.months,
        window_usage.user_key,
        window_usage.product_name,
        window_usage.version,
        window_usage.tokens_used,
        window_usage.days_used

    from window_usage
    inner join report_windows
        on window_usage.window_key = report_windows.window_key

)

select * from final
