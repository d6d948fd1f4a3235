{#- Incremental (docs/incremental.md), by (team, day_used): a run recomputes the pairs of
    staged usage that changed since the last run (their authoritative file is later than
    the watermark: every staged row of a pair carries the pair's file), and the days the
    move of as_of brings in (after the last day held, up to as_of); rows after an as_of
    moved back are deleted first (pre-hook). Everything is recomputed when there is no
    watermark or when the user keys changed (a new hash key: the held user_keys are no
    longer in int_user_keys). -#}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['team', 'day_used'],
    on_schema_change='fail',
    pre_hook="{{ delete_rows_after('day_used', var('as_of')) }}",
    post_hook="{{ record_incremental_watermark('select max(_file_seq) from '
        ~ ref('stg_autodesk__usage')) }}"
) }}
{%- set recompute_all = true %}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark() %}
    {%- set last_day_held = query_value('select max(day_used) from ' ~ this) %}
    {%- set held_key = query_value('select min(user_key) from ' ~ this) %}
    {%- set keys_unchanged = held_key is none or query_value(
        'select count(*) from ' ~ ref('int_user_keys') ~ ' where user_key = ' ~ sql_string(held_key)
    ) == 1 %}
    {%- set recompute_all = watermark is none or last_day_held is none or not keys_unchanged %}
{%- endif %}
{#- Every staged row of a pair carries the pair's authoritative file (stg_autodesk__usage). -#}
{%- set changed_pairs = 'true' if recompute_all else
    "(_file_seq > " ~ watermark ~ " or day_used > cast('" ~ last_day_held ~ "' as date))" %}

with

usage as (

    select * from {{ ref('stg_autodesk__usage') }}

),

user_keys as (

    select * from {{ ref('int_user_keys') }}

),

-- metrics.md: rows dated after as_of are stored but ignored by the marts.
reported_usage as (

    select * from usage
    where
        day_used <= {{ as_of }}
        and {{ changed_pairs }}

),

-- The user_key replaces every personal identifier: no user_id, name or e-mail address.
final as (

    select
        reported_usage.team,
        reported_usage.day_used,
        user_keys.user_key,
        reported_usage.product_name,
        reported_usage.version,
        reported_usage.tokens_used

    from reported_usage
    left join user_keys
        on reported_usage.user_id = user_keys.user_id

)

select * from final
