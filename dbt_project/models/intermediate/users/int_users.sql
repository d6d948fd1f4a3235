-- The users feed by resolved user_id (feeds.md): a users row delivered with an e-mail only
-- takes the Autodesk ID its e-mail belongs to, and the latest row per (team, user_id) wins.
with

users as (

    select * from {{ ref('stg_autodesk__users') }}

),

email_ids as (

    select * from {{ ref('int_email_autodesk_ids') }}

),

resolved as (

    {{ select_with_user_id('users', 'email_ids') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by team, user_id
            order by _file_seq desc, _row_number desc
        ) as recency_rank

    from resolved

),

final as (

    select
        team,
        user_id,
        delivered_user_id,
        autodesk_id,
        email,
        first_name,
        last_name,
        role,
        account_status,
        offering_name,
        product_name,
        _file_seq,
        _row_number

    from ranked
    where recency_rank = 1

)

select * from final
