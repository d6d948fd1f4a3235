{#- Holdings of metrics.md: who held each token pack when, what it received, what it used.
    The buyer's holding is number 0; each applied move or merge (a `transfer` entry of the
    ledger, dated on or before as_of) opens the next one for the receiving team. -#}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

subscriptions as (

    select * from {{ ref('stg_autodesk__subscriptions') }}

),

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

packs as (

    select
        subscription_id,
        team as purchasing_team,
        seat_quantity,
        start_date,
        end_date

    from subscriptions
    where is_token_pack

),

transfers as (

    select
        subscription_id,
        team,
        counterparty_team,
        day,
        event_type,
        source_event_id,
        tokens,
        -- At most one transfer per pack and day (metrics.md); entry_seq breaks no real tie.
        row_number() over (
            partition by subscription_id
            order by day, entry_seq
        ) as holding_number

    from ledger_entries
    where entry_type = 'transfer' and day <= {{ as_of }}

),

first_transfers as (

    select
        subscription_id,
        min(day) as first_transfer_day

    from transfers
    group by subscription_id

),

-- The buyer holds the pack from its start_date, or from the day it moved away when that
-- came first (a pack moved before it starts still belonged to the buyer until then).
purchases as (

    select
        packs.subscription_id,
        0 as holding_number,
        packs.purchasing_team as team,
        'purchase' as acquired_by,
        cast(null as varchar) as counterparty_team,
        cast(null as varchar) as source_event_id,
        case
            when first_transfers.first_transfer_day < packs.start_date
                then first_transfers.first_transfer_day
            else packs.start_date
        end as held_from,
        cast(null as decimal(18, 3)) as tokens_carried

    from packs
    left join first_transfers
        on packs.subscription_id = first_transfers.subscription_id

),

acquisitions as (

    select * from purchases

    union all

    select
        transfers.subscription_id,
        transfers.holding_number,
        transfers.team,
        transfers.event_type as acquired_by,
        transfers.counterparty_team,
        transfers.source_event_id,
        transfers.day as held_from,
        transfers.tokens as tokens_carried

    from transfers
    -- transfers of packs unknown to staging cannot be applied; the ledger never writes them
    inner join packs
        on transfers.subscription_id = packs.subscription_id

),

periods as (

    select
        acquisitions.*,
        packs.seat_quantity,
        packs.start_date,
        lead(acquisitions.held_from) over (
            partition by acquisitions.subscription_id
            order by acquisitions.holding_number
        ) as held_until,
        -- The holding in force when start_date begins gets the purchase (metrics.md: packs
        -- start before the day's moves): the buyer's, or the last one acquired earlier.
        max(
            case
                when acquisitions.holding_number = 0 or acquisitions.held_from < packs.start_date
                    then acquisitions.holding_number
            end
        ) over (partition by acquisitions.subscription_id) as purchase_holding_number

    from acquisitions
    inner join packs
        on acquisitions.subscription_id = packs.subscription_id

),

allocations as (

    select
        team,
        subscription_id,
        day,
        tokens

    from ledger_entries
    where entry_type = 'allocation' and day <= {{ as_of }}

),

used as (

    select
        periods.subscription_id,
        periods.holding_number,
        cast(sum(allocations.tokens) as decimal(18, 3)) as tokens_used

    from periods
    inner join allocations
        on
            periods.subscription_id = allocations.subscription_id
            and periods.team = allocations.team
            and periods.held_from <= allocations.day
            and (periods.held_until is null or periods.held_until > allocations.day)
    group by periods.subscription_id, periods.holding_number

),

final as (

    select
        periods.subscription_id,
        periods.holding_number,
        periods.team,
        periods.acquired_by,
        periods.counterparty_team,
        periods.source_event_id,
        periods.held_from,
        periods.held_until,
        periods.held_until is null as is_current,
        cast(
            case
                when periods.start_date > {{ as_of }} then 0
                when periods.holding_number = periods.purchase_holding_number
                    then periods.seat_quantity
                else coalesce(periods.tokens_carried, 0)
            end as decimal(18, 3)
        ) as tokens_received,
        coalesce(used.tokens_used, cast(0 as decimal(18, 3))) as tokens_used

    from periods
    left join used
        on
            periods.subscription_id = used.subscription_id
            and periods.holding_number = used.holding_number

)

select * from final
