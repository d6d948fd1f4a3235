{#- metrics.md invariant: for every team (here: every team and day up to as_of), what it
    consumed (fct_daily_usage) = tokens allocated to packs + unallocated tokens (the
    ledger); and the day's allocated tokens are its rows in fct_pack_allocation. The days
    of fct_team_balance_daily cover every use (assert_team_balance_covers_every_day). -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_team_balance_daily'}}}) }}

with

team_balance_daily as (

    select * from {{ ref('fct_team_balance_daily') }}

),

pack_allocations as (

    select * from {{ ref('fct_pack_allocation') }}

),

daily_allocations as (

    select
        team,
        day_used,
        sum(tokens_allocated) as tokens_allocated

    from pack_allocations
    group by team, day_used

),

compared as (

    select
        team_balance_daily.team,
        team_balance_daily.day,
        team_balance_daily.tokens_consumed,
        team_balance_daily.tokens_allocated,
        team_balance_daily.tokens_unallocated,
        coalesce(daily_allocations.tokens_allocated, 0) as tokens_allocated_to_packs

    from team_balance_daily
    left join daily_allocations
        on
            team_balance_daily.team = daily_allocations.team
            and team_balance_daily.day = daily_allocations.day_used

),

final as (

    select * from compared
    where
        tokens_consumed <> tokens_allocated + tokens_unallocated
        or tokens_allocated <> tokens_allocated_to_packs

)

select * from final
