{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
with

reporting_day as (

    select {{ as_of }} as as_of_date

),

-- M is the last fully completed month: the month of as_of when as_of is its last day,
-- otherwise the month before. Either way M ends the day before the first of the month
-- holding as_of + 1 day, so M + 1 starts on that first.
completed_month as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('month', dbt.dateadd('day', 1, 'as_of_date')) }} as date)
            as after_month_start

    from reporting_day

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

windows as (

    select
        'last_30_days' as window_key,
        as_of_date,
        cast({{ dbt.dateadd('day', -29, 'as_of_date') }} as date) as start_date,
        as_of_date as end_date,
        1 as months

    from completed_month

    union all

    -- First day of month M − (months − 1) = the first of M + 1 − months; last day of M.
    select
        month_windows.window_key,
        completed_month.as_of_date,
        cast(
            {{ dbt.dateadd('month', '-month_windows.months', 'completed_month.after_month_start') }}
            as date
        ) as start_date,
        cast({{ dbt.dateadd('day', -1, 'completed_month.after_month_start') }} as date) as end_date,
        month_windows.months

    from completed_month
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
