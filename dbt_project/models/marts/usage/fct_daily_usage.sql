{#- Incremental (docs/incremental.md), by (team, day_used): a run recomputes the pairs of
    staged usage that changed since the last run (their authoritative file is later than
    the watermark: every staged row of a pair carries the pair's file), the pairs with a
    row whose e-mail address got a new link to an Autodesk ID (it may resolve otherwise
    now: feeds.md, "User identity"), and the days the move of as_of brings in (after the
    last day held, up to as_of); rows after an as_of moved back are deleted first
    (pre-hook). Everything is recomputed when there is no watermark or when the user keys
    changed (a new hash key: the held user_keys are no longer in int_user_keys). -#}
{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['team', 'day_used'],
    on_schema_change='fail',
    pre_hook="{{ delete_rows_after('day_used', var('as_of')) }}",
    post_hook=[
        "{{ record_incremental_watermark(
            'select max(_file_seq) from (select max(_file_seq) as _file_seq from '
            ~ ref('stg_autodesk__usage') ~ ' union all select max(last_linked_file_seq) from '
            ~ ref('int_email_autodesk_ids') ~ ') as inputs') }}",
        "{{ record_written_keys_of_full_build(['team', 'day_used']) }}",
    ]
) }}
{%- set recompute_all = true %}
{%- set relinked_emails = 0 %}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark() %}
    {%- set last_day_held = query_value('select max(day_used) from ' ~ this) %}
    {%- set held_key = query_value('select min(user_key) from ' ~ this) %}
    {%- set keys_unchanged = held_key is none or query_value(
        'select count(*) from ' ~ ref('int_user_keys') ~ ' where user_key = ' ~ sql_string(held_key)
    ) == 1 %}
    {%- set recompute_all = watermark is none or last_day_held is none or not keys_unchanged %}
    {%- if not recompute_all %}
        {%- set relinked_emails = query_value(
            'select count(*) from ' ~ ref('int_email_autodesk_ids')
            ~ ' where last_linked_file_seq > ' ~ watermark) %}
    {%- endif %}
{%- endif %}
{#- Every staged row of a pair carries the pair's authoritative file (stg_autodesk__usage). -#}
{%- set changed_pairs = 'true' if recompute_all else
    "(_file_seq > " ~ watermark ~ " or day_used > cast('" ~ last_day_held ~ "' as date)"
    ~ (" or (team, day_used) in (select team, day_used from relinked_pairs)"
       if (relinked_emails or 0) > 0 else "") ~ ")" %}

with

usage as (

    select * from {{ ref('stg_autodesk__usage') }}

),

email_ids as (

    select * from {{ ref('int_email_autodesk_ids') }}

),

user_keys as (

    select * from {{ ref('int_user_keys') }}

),

{%- if (relinked_emails or 0) > 0 %}

    -- The pairs with usage delivered under an e-mail whose links changed after the watermark.
    relinked_pairs as (

        select distinct
            usage.team,
            usage.day_used

        from usage
        inner join email_ids
            on {{ email_autodesk_id_join('usage', 'email_ids') }}
        where email_ids.last_linked_file_seq > {{ watermark }}

    ),
{%- endif %}

-- metrics.md: rows dated after as_of are stored but ignored by the marts.
reported_usage as (

    select * from usage
    where
        day_used <= {{ as_of }}
        and {{ changed_pairs }}

),

resolved_usage as (

    {{ select_with_user_id('reported_usage', 'email_ids') }}

),

-- One person delivered under two identities on one day (an Autodesk ID in one file, the
-- e-mail in another) is one user: their tokens are summed (feeds.md).
-- The user_key replaces every personal identifier: no user_id, name or e-mail address.
final as (

    select
        resolved_usage.team,
        resolved_usage.day_used,
        user_keys.user_key,
        resolved_usage.product_name,
        resolved_usage.version,
        cast(sum(resolved_usage.tokens_used) as decimal(18, 3)) as tokens_used

    from resolved_usage
    left join user_keys
        on resolved_usage.user_id = user_keys.user_id
    group by
        resolved_usage.team,
        resolved_usage.day_used,
        user_keys.user_key,
        resolved_usage.product_name,
        resolved_usage.version

)

select * from final
