{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
-- insights.md: one row per team (every team of dim_team): its burn rates, when the
-- projection runs out, days of cover, the tokens projected to expire unused, and the day
-- to buy by (30 days before running out; not clamped to as_of).
with

overview as (

    select * from {{ ref('rpt_team_overview') }}

),

burn_rates as (

    select * from {{ ref('int_team_burn_rates') }}

),

run_out as (

    select
        team,
        projected_run_out_date

    from {{ ref('int_forecast_projection') }}
    where subscription_id is null and day = {{ as_of }}

),

breakage as (

    select
        team,
        sum(projected_tokens_expiring) as projected_breakage

    from {{ ref('rpt_pack_forecast') }}
    group by team

),

final as (

    select
        overview.team,
        overview.as_of_date,
        overview.tokens_available,
        burn_rates.burn_rate_30d,
        burn_rates.burn_rate_90d,
        run_out.projected_run_out_date,
        cast(
            {{ dbt.datediff(as_of, 'run_out.projected_run_out_date', 'day') }} - 1 as bigint  -- noqa: LT05
        ) as days_of_cover,
        cast(coalesce(breakage.projected_breakage, 0) as decimal(18, 3))
            as projected_breakage,
        cast({{ dbt.dateadd('day', -30, 'run_out.projected_run_out_date') }} as date)
            as purchase_by

    from overview
    inner join burn_rates on overview.team = burn_rates.team
    left join run_out on overview.team = run_out.team
    left join breakage on overview.team = breakage.team

)

select * from final
