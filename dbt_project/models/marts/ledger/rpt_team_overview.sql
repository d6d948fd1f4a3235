{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

teams as (

    select * from {{ ref('dim_team') }}

),

token_packs as (

    select * from {{ ref('dim_token_pack') }}

),

holdings as (

    select * from {{ ref('int_pack_holdings') }}

),

token_events as (

    select * from {{ ref('fct_token_events') }}

),

team_balance_daily as (

    select * from {{ ref('fct_team_balance_daily') }}

),

-- metrics.md: the packs a team holds on as_of and that are active on as_of. Their
-- tokens_remaining is what they hold at the end of as_of (no entry is dated later).
held_active_packs as (

    select
        current_team as team,
        subscription_id,
        end_date,
        tokens_remaining

    from token_packs
    where status = 'active'

),

pack_totals as (

    select
        team,
        sum(tokens_remaining) as tokens_available,
        sum(
            case
                when end_date <= {{ dbt.dateadd('day', 90, as_of) }} then tokens_remaining
                else 0
            end
        ) as expiring_90d

    from held_active_packs
    group by team

),

-- `used` of metrics.md: what the team drew from those packs, over every period it held them.
used_totals as (

    select
        held_active_packs.team,
        sum(holdings.tokens_used) as tokens_used_active

    from held_active_packs
    inner join holdings
        on
            held_active_packs.subscription_id = holdings.subscription_id
            and held_active_packs.team = holdings.team
    group by held_active_packs.team

),

event_totals as (

    select
        team,
        sum(
            case
                when
                    tokens > 0 and event_date >= {{ dbt.dateadd('day', -6, as_of) }}
                    then tokens
                else 0
            end
        ) as tokens_added_7d,
        sum(
            case
                when
                    tokens < 0 and event_date >= {{ dbt.dateadd('day', -6, as_of) }}
                    then -tokens
                else 0
            end
        ) as tokens_removed_7d,
        count(
            case when event_date >= {{ dbt.dateadd('day', -89, as_of) }} then 1 end
        ) as token_events_90d

    from token_events
    group by team

),

unallocated_totals as (

    select
        team,
        sum(tokens_unallocated) as tokens_unallocated

    from team_balance_daily
    group by team

),

measured as (

    select
        teams.team,
        {{ as_of }} as as_of_date,
        cast(coalesce(pack_totals.tokens_available, 0) as decimal(18, 3)) as tokens_available,
        cast(
            coalesce(used_totals.tokens_used_active, 0) as decimal(18, 3)
        ) as tokens_used_active,
        cast(coalesce(event_totals.tokens_added_7d, 0) as decimal(18, 3)) as tokens_added_7d,
        cast(
            coalesce(event_totals.tokens_removed_7d, 0) as decimal(18, 3)
        ) as tokens_removed_7d,
        coalesce(event_totals.token_events_90d, 0) as token_events_90d,
        cast(
            coalesce(unallocated_totals.tokens_unallocated, 0) as decimal(18, 3)
        ) as tokens_unallocated,
        cast(coalesce(pack_totals.expiring_90d, 0) as decimal(18, 3)) as expiring_90d

    from teams
    left join pack_totals
        on teams.team = pack_totals.team
    left join used_totals
        on teams.team = used_totals.team
    left join event_totals
        on teams.team = event_totals.team
    left join unallocated_totals
        on teams.team = unallocated_totals.team

),

totalled as (

    select
        *,
        cast(tokens_available + tokens_used_active as decimal(18, 3)) as tokens_total_active,
        -- available < 20 % of total, written exactly in decimals: 5 x available < total
        -- (false when the total is 0, since available is then 0 too).
        tokens_available * 5 < tokens_available + tokens_used_active as low_balance

    from measured

),

final as (

    select
        team,
        as_of_date,
        tokens_available,
        tokens_used_active,
        tokens_total_active,
        tokens_added_7d,
        tokens_removed_7d,
        token_events_90d,
        tokens_unallocated,
        low_balance,
        expiring_90d

    from totalled

)

select * from final
