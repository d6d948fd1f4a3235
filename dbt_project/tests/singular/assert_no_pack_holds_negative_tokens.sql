{#- metrics.md invariant: no pack holds a negative amount, neither at the end of as_of
    (dim_token_pack) nor at the end of any earlier day (its running token flow: events
    over every team − allocations, day by day). -#}
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

flows as (

    select
        subscription_id,
        event_date as flow_day,
        tokens
    from token_events

    union all

    select
        subscription_id,
        day_used as flow_day,
        -tokens_allocated as tokens
    from pack_allocations

),

daily_flows as (

    select
        subscription_id,
        flow_day,
        sum(tokens) as tokens

    from flows
    group by subscription_id, flow_day

),

running as (

    select
        subscription_id,
        flow_day,
        sum(tokens) over (
            partition by subscription_id
            order by flow_day
            rows between unbounded preceding and current row
        ) as tokens_held_eod

    from daily_flows

),

final as (

    select
        subscription_id,
        flow_day,
        tokens_held_eod

    from running
    where tokens_held_eod < 0

    union all

    select
        subscription_id,
        cast(null as date) as flow_day,
        tokens_remaining as tokens_held_eod

    from token_packs
    where tokens_remaining < 0

)

select * from final
