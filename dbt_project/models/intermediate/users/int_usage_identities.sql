{#- Incremental (docs/incremental.md), by (team, delivered_user_id, identity_email): a run
    reads only the usage rows of files after the watermark. Each value is held with its
    delivery order, and rows of later files come after every row already read, so a key's
    latest values are the latest of its held ones and its new rows: earlier files are
    never read again. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['team', 'delivered_user_id', 'identity_email'],
    on_schema_change='fail',
    post_hook=[
        "{{ record_incremental_watermark('select max(_file_seq) from '
            ~ ref('base_autodesk__usage')) }}",
        "{{ record_written_keys_of_full_build(['team', 'delivered_user_id', 'identity_email']) }}",
    ]
) }}
{#- Delivery order of a loaded row as one number: the file's _file_seq, then the row's
    _row_number. Row numbers stay below 10^9 (a file of a billion rows is some 100 GB), so
    the product orders exactly like (_file_seq, _row_number). -#}
{%- set delivery_order = '_file_seq * 1000000000 + _row_number' %}
{%- set has_name = 'first_name is not null or last_name is not null' %}
{%- set watermark = incremental_watermark() if is_incremental() else none %}

with

usage_rows as (

    select * from {{ ref('base_autodesk__usage') }}
    {%- if watermark is not none %}
        where _file_seq > {{ watermark }}
    {%- endif %}

),

-- metrics.md: the latest non-empty values in the loaded usage rows, whatever their date or
-- later replacement (every loaded row, not the re-delivered staging), in delivery order;
-- first and last name as a pair, from the latest row with either.
new_identities as (

    select
        team,
        delivered_user_id,
        identity_email,
        max(autodesk_id) as autodesk_id,
        {{ latest_where('email', delivery_order) }} as email,
        max({{ delivery_order }}) filter (where email is not null) as email_order,
        {{ latest_where('first_name', delivery_order, has_name) }} as first_name,
        {{ latest_where('last_name', delivery_order, has_name) }} as last_name,
        max({{ delivery_order }}) filter (where {{ has_name }}) as name_order

    from usage_rows
    group by team, delivered_user_id, identity_email

),

{% if watermark is none %}

    final as (

        select * from new_identities

    )
{% else %}

    -- The held values of the keys with new rows, beside the new ones: the latest wins.
    held_and_new as (

        select * from new_identities

        union all

        select held.*
        from {{ this }} as held
        inner join new_identities
            on
                held.team = new_identities.team
                and held.delivered_user_id = new_identities.delivered_user_id
                and held.identity_email = new_identities.identity_email

    ),

    final as (

        select
            team,
            delivered_user_id,
            identity_email,
            max(autodesk_id) as autodesk_id,
            {{ latest_where('email', 'email_order', 'email_order is not null') }} as email,
            max(email_order) as email_order,
            {{ latest_where('first_name', 'name_order', 'name_order is not null') }}
                as first_name,
            {{ latest_where('last_name', 'name_order', 'name_order is not null') }}
                as last_name,
            max(name_order) as name_order

        from held_and_new
        group by team, delivered_user_id, identity_email

    )
{% endif %}

select * from final
