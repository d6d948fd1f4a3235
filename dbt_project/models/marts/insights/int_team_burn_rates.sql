{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
-- insights.md: burn_rate_30d and burn_rate_90d of every team, from all its usage (allocated
-- or not) on as_of − 29 … as_of and as_of − 89 … as_of, always ÷ 30 and ÷ 90, half-up to
-- 3 decimals. A team without usage in the window burns 0.
with

teams as (

    select team from {{ ref('dim_team') }}

),

recent_usage as (

    select
        team,
        day_used,
        tokens_used

    from {{ ref('fct_daily_usage') }}
    where
        day_used between {{ dbt.dateadd('day', -89, as_of) }} and {{ as_of }}

),

window_sums as (

    select
        team,
        sum(
            case when day_used >= {{ dbt.dateadd('day', -29, as_of) }} then tokens_used end
        ) as tokens_30d,
        sum(tokens_used) as tokens_90d

    from recent_usage
    group by team

),

final as (

    select
        teams.team,
        {{ divide_half_up('coalesce(window_sums.tokens_30d, 0)', 30, 3, 3) }}
            as burn_rate_30d,
        {{ divide_half_up('coalesce(window_sums.tokens_90d, 0)', 90, 3, 3) }}
            as burn_rate_90d

    from teams
    left join window_sums on teams.team = window_sums.team

)

select * from final
