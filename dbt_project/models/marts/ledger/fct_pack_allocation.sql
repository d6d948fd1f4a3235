{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

allocations as (

    select
        team,
        day as day_used,
        subscription_id,
        tokens

    from ledger_entries
    where entry_type = 'allocation' and day <= {{ as_of }}

),

final as (

    select
        team,
        day_used,
        subscription_id,
        cast(sum(tokens) as decimal(18, 3)) as tokens_allocated

    from allocations
    group by team, day_used, subscription_id
    -- warehouse.md: no rows of 0 tokens
    having sum(tokens) <> 0

)

select * from final
