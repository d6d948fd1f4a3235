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

in_window as (

    select
        partials.grain,
        partials.team,
        report_windows.window_key,
        report_windows.as_of_date,
        report_windows.start_date,
        report_windows.end_date,
        report_windows.months,
        partials.user_key,
        partials.product_name,
        partials.version,
        partials.tokens_used,
        partials.days_used

    from partials
    inner join report_windows
        on
            (
                report_windows.window_key = 'last_30_days'
                and partials.period_kind = 'last_30_days'
            )
            or (
                report_windows.window_key != 'last_30_days'
                and partials.period_kind = 'month'
                and partials.period_start between report_windows.start_date
                and report_windows.end_date
            )

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
        cast(sum(tokens_used) as decimal(18, 3)) as tokens_used,
        cast(sum(days_used) as bigint) as days_used

    from in_window
    group by
        grain, team, window_key, as_of_date, start_date, end_date, months, user_key,
        product_name, version

)

select * from final
