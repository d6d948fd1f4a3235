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
        report_windows.months,
        daily_usage.team,
        daily_usage.user_key,
        daily_usage.product_name,
        daily_usage.tokens_used

    from daily_usage
    inner join report_windows
        on daily_usage.day_used between report_windows.start_date and report_windows.end_date

),

product_usage as (

    select
        team,
        window_key,
        as_of_date,
        months,
        product_name,
        cast(sum(tokens_used) as decimal(18, 3)) as total_tokens,
        count(distinct user_key) as total_users

    from windowed_usage
    group by team, window_key, as_of_date, months, product_name

),

-- avg_tokens_per_month: total_tokens / the window's months, half-up to 2 decimals, exact.
final as (

    select
        team,
        window_key,
        as_of_date,
        product_name,
        total_users,
        total_tokens,
        {{ divide_half_up('total_tokens', 'months') }} as avg_tokens_per_month

    from product_usage

)

select * from final
