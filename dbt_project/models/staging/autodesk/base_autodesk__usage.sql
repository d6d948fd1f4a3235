with

source as (

    select * from {{ source('raw', 'usage') }}

),

final as (

    select
        team,
        day_used,
        {{ delivered_user_id('autodesk_id', 'hashed_autodesk_id', 'email') }} as delivered_user_id,
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
