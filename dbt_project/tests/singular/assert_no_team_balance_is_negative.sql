{#- metrics.md invariant: a team never has fewer than 0 tokens available at the end of a
    day (consumption beyond its packs is unallocated, not a negative balance). -#}

with

team_balance_daily as (

    select * from {{ ref('fct_team_balance_daily') }}

),

final as (

    select
        team,
        day,
        tokens_available_eod

    from team_balance_daily
    where tokens_available_eod < 0

)

select * from final
