{#- Incremental (append, docs/incremental.md): the links of new usage rows (files after the
    watermark) and of the whole users feed (small) that are not held yet. A link never
    goes away: a row of any date that carried both keeps its e-mail linked (feeds.md). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ record_incremental_watermark('select max(_file_seq) from '
        ~ ref('base_autodesk__usage')) }}"
) }}
{%- set watermark = incremental_watermark() if is_incremental() else none %}

with

usage_links as (

    select
        team,
        lower(email) as email,
        autodesk_id,
        _file_seq

    from {{ ref('base_autodesk__usage') }}
    where
        autodesk_id is not null
        and email is not null
        and {{ '_file_seq > ' ~ watermark if watermark is not none else 'true' }}

),

users_links as (

    select
        team,
        lower(email) as email,
        autodesk_id,
        _file_seq

    from {{ source('raw', 'users') }}
    where
        autodesk_id is not null
        and email is not null

),

-- feeds.md, "User identity": an e-mail belongs to an Autodesk ID when a loaded users or
-- usage row of the team carries both.
links as (

    select
        team,
        email,
        autodesk_id,
        min(_file_seq) as first_file_seq

    from (
        select * from usage_links
        union all
        select * from users_links
    ) as delivered
    group by team, email, autodesk_id

),

final as (

    select
        team,
        email,
        autodesk_id,
        first_file_seq

    from links
    {%- if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as held
            where
                held.team = links.team
                and held.email = links.email
                and held.autodesk_id = links.autodesk_id
        )
    {%- endif %}

)

select * from final
