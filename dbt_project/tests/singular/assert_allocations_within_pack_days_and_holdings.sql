{#- Burn-down rule of metrics.md: a team draws only from a pack it holds that day, on a
    day the pack is active, and never 0 tokens. Failing rows name the allocation and
    the rule it breaks. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_pack_allocation'}}}) }}

with

pack_allocations as (

    select * from {{ ref('fct_pack_allocation') }}

),

token_packs as (

    select * from {{ ref('dim_token_pack') }}

),

holdings as (

    select * from {{ ref('int_pack_holdings') }}

),

-- allocations made while the team held the pack (one holding at most: holdings of a
-- pack do not overlap)
held_allocations as (

    select
        pack_allocations.team,
        pack_allocations.day_used,
        pack_allocations.subscription_id

    from pack_allocations
    inner join holdings
        on
            pack_allocations.subscription_id = holdings.subscription_id
            and pack_allocations.team = holdings.team
            and pack_allocations.day_used >= holdings.held_from
            and (holdings.held_until is null or pack_allocations.day_used < holdings.held_until)

),

checked as (

    select
        pack_allocations.team,
        pack_allocations.day_used,
        pack_allocations.subscription_id,
        pack_allocations.tokens_allocated,
        token_packs.start_date,
        token_packs.end_date,
        pack_allocations.tokens_allocated > 0 as is_positive,
        pack_allocations.day_used between token_packs.start_date and token_packs.end_date
            as is_in_pack_days,
        held_allocations.team is not null as is_held

    from pack_allocations
    left join token_packs
        on pack_allocations.subscription_id = token_packs.subscription_id
    left join held_allocations
        on
            pack_allocations.team = held_allocations.team
            and pack_allocations.day_used = held_allocations.day_used
            and pack_allocations.subscription_id = held_allocations.subscription_id

),

final as (

    select * from checked
    where not (is_positive and coalesce(is_in_pack_days, false) and is_held)

)

select * from final
