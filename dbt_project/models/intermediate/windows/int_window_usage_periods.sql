-- A table: the partials read it three times.

-- The usage rows of the report windows, each tagged with its period: the month it falls
-- in (month windows) or the last_30_days period. Days never straddle periods, so counts
-- of distinct days per period add up exactly to counts per window (the window partials).
with

report_windows as (

    select * from {{ ref('dim_report_window') }}

),

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

month_periods as (

    select
        daily_usage.team,
        daily_usage.user_key,
        daily_usage.product_name,
        daily_usage.version,
        daily_usage.day_used,
        daily_usage.tokens_used,
        'month' as period_kind,
        cast({{ dbt.date_trunc('month', 'daily_usage.day_used') }} as date) as period_start

    from daily_usage
    inner join report_windows
        on
            report_windows.window_key = 'last_12_months'
            and daily_usage.day_used between report_windows.start_date and report_windows.end_date

),

last_30_days as (

    select
        daily_usage.team,
        daily_usage.user_key,
        daily_usage.product_name,
        daily_usage.version,
        daily_usage.day_used,
        daily_usage.tokens_used,
        'last_30_days' as period_kind,
        report_windows.start_date as period_start

    from daily_usage
    inner join report_windows
        on
            report_windows.window_key = 'last_30_days'
            and daily_usage.day_used between report_windows.start_date and report_windows.end_date

),

final as (

    select * from month_periods
    union all
    select * from last_30_days

)

select * from final
