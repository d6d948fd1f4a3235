{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

subscriptions as (

    select * from {{ ref('stg_autodesk__subscriptions') }}

),

holdings as (

    select * from {{ ref('int_pack_holdings') }}

),

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

packs as (

    select
        subscription_id,
        team as purchasing_team,
        offering_name,
        seat_quantity,
        start_date,
        end_date

    from subscriptions
    where is_token_pack

),

current_holders as (

    select
        subscription_id,
        team as current_team

    from holdings
    where is_current

),

pack_entries as (

    select
        subscription_id,
        sum(
            case
                when entry_type = 'event' and event_type = 'adjustment' then tokens else 0
            end
        ) as tokens_adjusted,
        sum(case when entry_type = 'allocation' then tokens else 0 end) as tokens_consumed,
        -- expiry events are negative; at most one per pack
        -sum(
            case when entry_type = 'event' and event_type = 'expiry' then tokens else 0 end
        ) as tokens_expired

    from ledger_entries
    where subscription_id is not null and day <= {{ as_of }}
    group by subscription_id

),

measured as (

    select
        packs.subscription_id,
        packs.purchasing_team,
        coalesce(current_holders.current_team, packs.purchasing_team) as current_team,
        packs.offering_name,
        packs.seat_quantity,
        cast(coalesce(pack_entries.tokens_adjusted, 0) as decimal(18, 3)) as tokens_adjusted,
        packs.start_date,
        packs.end_date,
        case
            when packs.start_date > {{ as_of }} then 'upcoming'
            when packs.end_date < {{ as_of }} then 'expired'
            else 'active'
        end as status,
        cast(coalesce(pack_entries.tokens_consumed, 0) as decimal(18, 3)) as tokens_consumed,
        cast(coalesce(pack_entries.tokens_expired, 0) as decimal(18, 3)) as tokens_expired

    from packs
    left join current_holders
        on packs.subscription_id = current_holders.subscription_id
    left join pack_entries
        on packs.subscription_id = pack_entries.subscription_id

),

final as (

    select
        subscription_id,
        purchasing_team,
        current_team,
        offering_name,
        seat_quantity,
        tokens_adjusted,
        start_date,
        end_date,
        status,
        tokens_consumed,
        -- metrics.md: an upcoming pack is listed with all its tokens, nothing used or lost
        cast(
            case
                when status = 'upcoming' then seat_quantity
                else seat_quantity + tokens_adjusted - tokens_consumed - tokens_expired
            end as decimal(18, 3)
        ) as tokens_remaining,
        tokens_expired

    from measured

)

select * from final
