{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}

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
    where day_used <= {{ as_of }}

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
