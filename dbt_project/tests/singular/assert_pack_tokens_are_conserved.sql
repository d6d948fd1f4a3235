{#- metrics.md invariant: for every started pack, seat_quantity + adjustments = allocated +
    remaining + expired, where remaining is also recomputed from the pack's token flow
    (Σ of its token events over every team − Σ of its allocations: a move's out and in
    cancel). An expired pack holds nothing; an upcoming one has no event or allocation and
    all its tokens. Failing rows name the pack and both remainders. -#}
{{ config(meta={'dagster': {'ref': {'name': 'dim_token_pack'}}}) }}

with

token_packs as (

    select * from {{ ref('dim_token_pack') }}

),

token_events as (

    select * from {{ ref('fct_token_events') }}

),

pack_allocations as (

    select * from {{ ref('fct_pack_allocation') }}

),

event_flows as (

    select
        subscription_id,
        sum(tokens) as tokens,
        count(*) as n_rows

    from token_events
    group by subscription_id

),

allocation_flows as (

    select
        subscription_id,
        sum(tokens_allocated) as tokens,
        count(*) as n_rows

    from pack_allocations
    group by subscription_id

),

compared as (

    select
        token_packs.subscription_id,
        token_packs.current_team,
        token_packs.status,
        token_packs.seat_quantity,
        token_packs.tokens_adjusted,
        token_packs.tokens_consumed,
        token_packs.tokens_remaining,
        token_packs.tokens_expired,
        coalesce(allocation_flows.tokens, 0) as tokens_allocated,
        coalesce(event_flows.tokens, 0) - coalesce(allocation_flows.tokens, 0)
            as tokens_remaining_by_flow,
        coalesce(event_flows.n_rows, 0) + coalesce(allocation_flows.n_rows, 0) as n_flow_rows

    from token_packs
    left join event_flows
        on token_packs.subscription_id = event_flows.subscription_id
    left join allocation_flows
        on token_packs.subscription_id = allocation_flows.subscription_id

),

final as (

    select * from compared
    where
        case
            when status = 'upcoming'
                then
                    n_flow_rows > 0
                    or tokens_remaining <> seat_quantity
                    or tokens_consumed <> 0
                    or tokens_expired <> 0
                    or tokens_adjusted <> 0
            else
                seat_quantity + tokens_adjusted
                <> tokens_consumed + tokens_remaining + tokens_expired
                or tokens_remaining <> tokens_remaining_by_flow
                or tokens_consumed <> tokens_allocated
                or (status = 'expired' and tokens_remaining <> 0)
        end

)

select * from final
