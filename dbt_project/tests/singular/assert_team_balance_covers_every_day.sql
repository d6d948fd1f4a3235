{#- warehouse.md: fct_team_balance_daily has one row per calendar day from the team's
    first token event or usage row to as_of: for every team, no day missing or repeated up
    to as_of, the rows starting no later than its first token event, consumption or
    allocation (all rows of fct_token_events and fct_pack_allocation inside them). This
    also guards the length of the calendar the mart cuts its days from. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_team_balance_daily'}}}) }}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

team_balance_daily as (

    select * from {{ ref('fct_team_balance_daily') }}

),

token_events as (

    select * from {{ ref('fct_token_events') }}

),

pack_allocations as (

    select * from {{ ref('fct_pack_allocation') }}

),

team_activity_days as (

    select
        team,
        event_date as activity_day
    from token_events

    union all

    select
        team,
        day_used as activity_day
    from pack_allocations

    union all

    select
        team,
        day as activity_day
    from team_balance_daily
    where tokens_consumed <> 0

),

first_activity as (

    select
        team,
        min(activity_day) as first_activity_day

    from team_activity_days
    group by team

),

actual as (

    select
        team,
        min(day) as first_day,
        max(day) as last_day,
        count(*) as n_rows,
        count(distinct day) as n_days,
        {{ dbt.datediff('min(day)', as_of, 'day') }}
        + 1 as n_days_expected

    from team_balance_daily
    group by team

),

final as (

    select
        actual.first_day,
        actual.last_day,
        actual.n_rows,
        actual.n_days,
        actual.n_days_expected,
        first_activity.first_activity_day,
        coalesce(first_activity.team, actual.team) as team

    from first_activity
    full outer join actual
        on first_activity.team = actual.team
    where
        actual.team is null
        or actual.last_day <> {{ as_of }}
        or actual.n_rows <> actual.n_days_expected
        or actual.n_days <> actual.n_days_expected
        or actual.first_day > first_activity.first_activity_day

)

select * from final
