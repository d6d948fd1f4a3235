with

source as (

    select * from {{ source('raw', 'subscriptions') }}

),

-- Re-delivery (feeds.md): the latest row of a subscription_id replaces earlier ones.
ranked as (

    select
        *,
        row_number() over (
            partition by subscription_id
            order by _file_seq desc, _row_number desc
        ) as recency_rank

    from source

),

final as (

    select
        subscription_id,
        team,
        offering_name,
        seat_quantity,
        start_date,
        -- Missing end date: start + 12 months (clamped to the month's end) - 1 day.
        -- DuckDB's month arithmetic clamps: 2028-02-29 + 12 months = 2029-02-28.
        coalesce(
            end_date,
            cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 12, 'start_date')) }} as date)
        ) as end_date,
        end_date as end_date_delivered,
        {{ contains_word('offering_name', 'flex') }} as is_token_pack,
        subscription_status,
        term,
        contract_number,
        autorenew_date,
        reseller_name,
        reseller_email,
        _file_seq,
        _file_sha256,
        _source_path,
        _row_number

    from ranked
    where recency_rank = 1

)

select * from final
