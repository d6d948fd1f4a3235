{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

teams as (

    select * from {{ ref('dim_team') }}

),

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- 1 … 365 (dbt-core's cross-database generate_series).
numbers as (

    {{ dbt.generate_series(365) }}

),

-- The 365 days as_of − 364 … as_of. `day` is the contract's column name (warehouse.md).
report_days as (

    select
        cast({{ dbt.dateadd('day', '1 - generated_number', as_of) }} as date) as day  -- noqa: RF04

    from numbers

),

team_day_tokens as (

    select
        team,
        day_used,
        sum(tokens_used) as tokens_used

    from daily_usage
    where day_used > cast({{ dbt.dateadd('day', -365, as_of) }} as date)
    group by team, day_used

),

-- Every team of dim_team on every day, 0 on days without use.
final as (

    select
        teams.team,
        report_days.day,
        cast(coalesce(team_day_tokens.tokens_used, 0) as decimal(18, 3)) as tokens_used

    from teams
    cross join report_days
    left join team_day_tokens
        on
            teams.team = team_day_tokens.team
            and report_days.day = team_day_tokens.day_used

)

select * from final
