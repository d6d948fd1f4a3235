{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
with

reporting_day as (

    select {{ as_of }} as as_of_date

),

-- The month windows of metrics.md and their length.
month_windows as (

    select
        'last_3_months' as window_key,
        3 as months
    union all
    select
        'last_6_months' as window_key,
        6 as months
    union all
    select
        'last_9_months' as window_key,
        9 as months
    union all
    select
        'last_12_months' as window_key,
        12 as months

),

-- The bounds (macros/report_window_dates.sql, shared with the window partials): M is the
-- last fully completed month, month windows run from the first day of M − (months − 1)
-- to the last day of M.
windows as (

    select
        'last_30_days' as window_key,
        as_of_date,
        {{ report_window_start('as_of_date') }} as start_date,
        {{ report_window_end('as_of_date') }} as end_date,
        1 as months

    from reporting_day

    union all

    select
        month_windows.window_key,
        reporting_day.as_of_date,
        {{ report_window_start('reporting_day.as_of_date', 'month_windows.months') }}
            as start_date,
        {{ report_window_end('reporting_day.as_of_date', 'month_windows.months') }} as end_date,
        month_windows.months

    from reporting_day
    cross join month_windows

),

final as (

    select
        window_key,
        as_of_date,
        start_date,
        end_date,
        cast(months as integer) as months

    from windows

)

select * from final
