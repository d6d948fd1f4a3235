{#- Incremental (docs/incremental.md): a run reads only the raw rows of files later than
    the latest file it already holds, and replaces every (team, day_used) pair they have
    rows for (delete+insert on the pair). The latest of those files with rows for a pair is
    its authoritative file under feeds.md, whatever earlier files said, so the new rows
    alone give the pair's rows: earlier files are never read again. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['team', 'day_used'],
    on_schema_change='fail',
    post_hook="{{ record_written_keys_of_full_build(['team', 'day_used']) }}"
) }}
{%- set has_name = 'first_name is not null or last_name is not null' %}
{%- set processed_file_seq = none %}
{%- if is_incremental() %}
    {%- set processed_file_seq = query_value('select max(_file_seq) from ' ~ this) %}
{%- endif %}

with

usage_rows as (

    select * from {{ ref('base_autodesk__usage') }}
    {%- if processed_file_seq is not none %}
    where _file_seq > {{ processed_file_seq }}
    {%- endif %}

),

-- Rows of one file with the same key are summed (feeds.md); identity and names are the
-- latest non-empty values of the group's rows, first and last name taken as a pair.
summed_per_file as (

    select
        team,
        day_used,
        delivered_user_id,
        identity_email,
        product_name,
        version,
        cast(sum(tokens_used) as decimal(18, 3)) as tokens_used,
        {{ latest_where('autodesk_id', '_row_number') }} as autodesk_id,
        {{ latest_where('hashed_autodesk_id', '_row_number') }} as hashed_autodesk_id,
        {{ latest_where('email', '_row_number') }} as email,
        {{ latest_where('first_name', '_row_number', has_name) }} as first_name,
        {{ latest_where('last_name', '_row_number', has_name) }} as last_name,
        _file_seq,
        _file_sha256,
        _source_path,
        max(_row_number) as _row_number

    from usage_rows
    group by
        team,
        day_used,
        delivered_user_id,
        identity_email,
        product_name,
        version,
        _file_seq,
        _file_sha256,
        _source_path

),

-- Re-delivery (feeds.md): the latest file with rows for (team, day_used) is authoritative
-- for the pair, so earlier files' rows of that pair are dropped, even keys it no longer has.
with_authoritative_file as (

    select
        *,
        max(_file_seq) over (partition by team, day_used) as authoritative_file_seq

    from summed_per_file

),

final as (

    select
        team,
        day_used,
        delivered_user_id,
        identity_email,
        product_name,
        version,
        tokens_used,
        autodesk_id,
        hashed_autodesk_id,
        email,
        first_name,
        last_name,
        _file_seq,
        _file_sha256,
        _source_path,
        _row_number

    from with_authoritative_file
    where _file_seq = authoritative_file_seq

)

select * from final
