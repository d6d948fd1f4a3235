with

report_windows as (

    select * from {{ ref('dim_report_window') }}

),

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

windowed_usage as (

    select
        report_windows.window_key,
        report_windows.as_of_date,
        daily_usage.team,
        daily_usage.user_key,
        daily_usage.product_name,
        daily_usage.version

    from daily_usage
    inner join report_windows
        on daily_usage.day_used between report_windows.start_date and report_windows.end_date

),

final as (

    select
        team,
        window_key,
        as_of_date,
        product_name,
        version,
        count(distinct user_key) as users  -- noqa: RF04

    from windowed_usage
    group by team, window_key, as_of_date, product_name, version

)

select * from final
