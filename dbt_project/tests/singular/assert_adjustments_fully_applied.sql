{#- WARN (metrics.md, token packs): a negative adjustment larger than what the pack still
    held took it to zero; the part that could not be removed is named here with its team,
    pack and event. -#}
{{ config(severity='warn') }}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

final as (

    select
        team,
        subscription_id,
        source_event_id,
        day,
        tokens as tokens_not_removed,
        detail

    from ledger_entries
    where
        entry_type = 'warning'
        and event_type = 'adjustment_shortfall'
        and day <= {{ as_of }}

)

select * from final
