{#- metrics.md: no token event has 0 tokens (a purchase of 0, an expiry, move or merge of
    an empty pack, an adjustment with no effect write no row). -#}

with

token_events as (

    select * from {{ ref('fct_token_events') }}

),

final as (

    select
        event_key,
        team,
        event_date,
        event_type,
        subscription_id,
        source_event_id

    from token_events
    where tokens = 0

)

select * from final
