-- insights.md: one row per pack held on as_of that is active or upcoming, with what the
-- projection (int_forecast_projection) draws from it and what it still holds when it ends.
with

packs as (

    select * from {{ ref('dim_token_pack') }}
    where status in ('active', 'upcoming')

),

projection as (

    select * from {{ ref('int_forecast_projection') }}
    where subscription_id is not null

),

final as (

    select
        packs.current_team as team,
        packs.subscription_id,
        packs.start_date,
        packs.end_date,
        packs.tokens_remaining,
        cast(projection.projected_tokens_used as decimal(18, 3)) as projected_tokens_used,
        cast(projection.projected_tokens_expiring as decimal(18, 3))
            as projected_tokens_expiring,
        projection.projected_empty_date

    from packs
    inner join projection on packs.subscription_id = projection.subscription_id

)

select * from final
