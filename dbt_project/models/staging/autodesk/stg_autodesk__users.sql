with

source as (

    select * from {{ source('raw', 'users') }}

),

with_user_id as (

    select
        *,
        {{ delivered_user_id('autodesk_id', none, 'email') }} as delivered_user_id

    from source

),

-- Re-delivery (feeds.md): the latest row per (team, user_id) wins; rows delivered under
-- one identity first (int_users merges the identities of one person).
ranked as (

    select
        *,
        row_number() over (
            partition by team, delivered_user_id
            order by _file_seq desc, _row_number desc
        ) as recency_rank

    from with_user_id

),

final as (

    select
        team,
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
        _file_sha256,
        _source_path,
        _row_number

    from ranked
    where recency_rank = 1

)

select * from final
