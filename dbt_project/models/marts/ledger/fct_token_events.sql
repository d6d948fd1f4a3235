{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
{#- event_key: what identifies a token event whatever the build: its type, pack, team and
    source event. Unique: a pack has one purchase and one expiry, and one event_id moves
    or adjusts a pack once, with one row per side of a move or merge. -#}
{%- set key_fields = [] %}
{%- for column in ['event_type', 'subscription_id', 'team', 'source_event_id'] %}
    {%- if not loop.first %}{% do key_fields.append("'|'") %}{% endif %}
    {%- do key_fields.append("coalesce(" ~ column ~ ", '')") %}
{%- endfor %}

with

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

token_events as (

    select
        team,
        day as event_date,
        event_type,
        subscription_id,
        tokens,
        counterparty_team,
        source_event_id

    from ledger_entries
    where entry_type = 'event' and day <= {{ as_of }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(key_fields)) }} as event_key,
        team,
        event_date,
        event_type,
        subscription_id,
        cast(tokens as decimal(18, 3)) as tokens,
        counterparty_team,
        source_event_id

    from token_events

)

select * from final
