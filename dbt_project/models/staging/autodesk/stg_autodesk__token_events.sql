with

source as (

    select * from {{ source('raw', 'token_events') }}

),

-- Re-delivery (feeds.md): the latest row per event_id wins.
ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by _file_seq desc, _row_number desc
        ) as recency_rank

    from source

),

final as (

    select
        event_id,
        event_date,
        event_type,
        subscription_id,
        from_team,
        to_team,
        tokens,
        reason,
        _file_seq,
        _file_sha256,
        _source_path,
        _row_number

    from ranked
    where recency_rank = 1

)

select * from final
