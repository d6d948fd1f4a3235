{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
-- The projected balance of each team day by day (docs/insights.md): what its active packs
-- hold once the day's burn_rate_30d is drawn, from as_of (= tokens_available) to the day
-- it reaches 0 for the rest of the horizon; the Summary sheet's projected balance chart.
with

projection as (

    select * from {{ ref('int_forecast_projection') }}
    where subscription_id is null

),

final as (

    select
        team,
        {{ as_of }} as as_of_date,
        day,
        cast(projected_balance as decimal(18, 3)) as projected_balance

    from projection

)

select * from final
