{#- WARN (feeds.md, token_events): events loaded but not applied — unknown pack, move from
    a team not holding the pack, move or merge to the same team, second transfer of a pack
    on one day, adjustment outside the pack's active days. One row per event (per pack for
    a merge), naming the warning code, team, pack and event. -#}
{{ config(severity='warn') }}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

final as (

    select
        event_type as warning_code,
        team,
        subscription_id,
        source_event_id,
        day,
        tokens,
        detail

    from ledger_entries
    where
        entry_type = 'warning'
        and event_type <> 'adjustment_shortfall'
        and day <= {{ as_of }}

)

select * from final
