with

source as (

    select * from {{ source('raw', 'team_settings') }}

),

-- Re-delivery (feeds.md): the latest row per team wins.
ranked as (

    select
        *,
        row_number() over (
            partition by team
            order by _file_seq desc, _row_number desc
        ) as recency_rank

    from source

),

final as (

    select
        team,
        pii_enabled,
        _file_seq,
        _file_sha256,
        _source_path,
        _row_number

    from ranked
    where recency_rank = 1

)

select * from final
