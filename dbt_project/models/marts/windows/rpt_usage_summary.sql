with

teams as (

    select * from {{ ref('dim_team') }}

),

report_windows as (

    select * from {{ ref('dim_report_window') }}

),

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days).
windowed_usage as (

    select * from {{ ref('int_window_usage') }}
    where grain = 'version'

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
