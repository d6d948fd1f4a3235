{#- The running team balance and the pack view agree: tokens_available_eod on as_of (0 for
    a team without balance rows) = rpt_team_overview.tokens_available, the Σ remaining of
    the active packs the team holds. They are computed apart (token events − allocations
    vs. pack totals), and agree because an expired pack's tokens leave with its expiry
    event (end_date + 1) and a pack's tokens cross teams only with its move/merge events. -#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_team_overview'}}}) }}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

team_overview as (

    select * from {{ ref('rpt_team_overview') }}

),

team_balance_daily as (

    select * from {{ ref('fct_team_balance_daily') }}

),

balance_on_as_of as (

    select
        team,
        tokens_available_eod

    from team_balance_daily
    where day = {{ as_of }}

),

final as (

    select
        team_overview.tokens_available,
        balance_on_as_of.tokens_available_eod,
        coalesce(team_overview.team, balance_on_as_of.team) as team

    from team_overview
    full outer join balance_on_as_of
        on team_overview.team = balance_on_as_of.team
    where
        team_overview.team is null
        or team_overview.tokens_available <> coalesce(balance_on_as_of.tokens_available_eod, 0)

)

select * from final
