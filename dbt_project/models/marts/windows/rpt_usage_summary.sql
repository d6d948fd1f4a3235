with

teams as (

    select * from {{ ref('dim_team') }}

),

report_windows as (

    select * from {{ ref('dim_report_window') }}

),

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- metrics.md: the team's usage rows with day_used in the window (both ends included).
windowed_usage as (

    select
        report_windows.window_key,
        daily_usage.team,
        daily_usage.user_key,
        daily_usage.product_name,
        daily_usage.tokens_used

    from daily_usage
    inner join report_windows
        on daily_usage.day_used between report_windows.start_date and report_windows.end_date

),

-- Distinct users by user_key, which stands one-to-one for user_id.
team_window_usage as (

    select
        team,
        window_key,
        sum(tokens_used) as total_tokens,
        count(distinct product_name) as products_used,
        count(distinct user_key) as total_users

    from windowed_usage
    group by team, window_key

),

-- Every team of dim_team in every window, zeros when idle.
final as (

    select
        teams.team,
        report_windows.window_key,
        report_windows.as_of_date,
        report_windows.start_date,
        report_windows.end_date,
        cast(coalesce(team_window_usage.total_tokens, 0) as decimal(18, 3)) as total_tokens,
        coalesce(team_window_usage.products_used, 0) as products_used,
        coalesce(team_window_usage.total_users, 0) as total_users

    from teams
    cross join report_windows
    left join team_window_usage
        on
            teams.team = team_window_usage.team
            and report_windows.window_key = team_window_usage.window_key

)

select * from final
