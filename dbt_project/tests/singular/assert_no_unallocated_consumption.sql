{#- WARN (metrics.md, burn-down step 3): consumption no pack could cover means the feeds
    are incomplete (a missing purchase or move). It is kept in the marts; this check names
    each team and day, with the tokens unallocated. -#}
{{ config(severity='warn') }}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

with

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

final as (

    select
        team,
        day,
        tokens as tokens_unallocated

    from ledger_entries
    where entry_type = 'unallocated' and day <= {{ as_of }}

)

select * from final
