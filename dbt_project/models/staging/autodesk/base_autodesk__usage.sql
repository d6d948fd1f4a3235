with

source as (

    select * from {{ source('raw', 'usage') }}

),

final as (

    select
        team,
        day_used,
        {{ delivered_user_id('autodesk_id', 'hashed_autodesk_id', 'email') }} as delivered_user_id,
        -- The e-mail a row without an Autodesk ID may resolve by (feeds.md, "User identity",
        -- step 2), '' when none: rows of one hashed ID with and without an e-mail resolve
        -- apart, so it is part of every grain that carries delivered_user_id.
        case when autodesk_id is null then coalesce(lower(email), '') else '' end
            as identity_email,
        product_name,
        version,
        tokens_used,
        autodesk_id,
        hashed_autodesk_id,
        email,
        first_name,
        last_name,
        feature,
        _file_seq,
        _file_sha256,
        _source_path,
        _row_number,
        _ingested_at

    from source

)

select * from final
