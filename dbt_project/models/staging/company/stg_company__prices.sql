-- insights.md, Chargeback: the price of an item (`token`, any case, or a product name) for
-- a team (`*`: every team) from valid_from on. On the same (item, team, valid_from) the
-- later file wins (delivery order). Currencies upper-cased.
with

source as (

    select * from {{ source('raw', 'prices') }}

),

renamed as (

    select
        team,
        valid_from,
        price,
        _file_seq,
        _row_number,
        case when lower(item) = 'token' then 'token' else item end as item,
        upper(currency) as currency

    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by lower(item), team, valid_from
            order by _file_seq desc, _row_number desc
        ) as recency_rank

    from renamed

),

final as (

    select
        item,
        team,
        valid_from,
        price,
        currency,
        _file_seq,
        _row_number

    from ranked
    where recency_rank = 1

)

select * from final
