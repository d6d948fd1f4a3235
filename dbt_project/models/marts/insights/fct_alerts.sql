{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
{%- set run_out_days = env_var('FLEXWH_ALERT_RUN_OUT_DAYS', '60') | int %}
{%- set critical_days = env_var('FLEXWH_ALERT_RUN_OUT_CRITICAL_DAYS', '14') | int %}
{%- set expiring_days = env_var('FLEXWH_ALERT_EXPIRING_DAYS', '90') | int %}
{%- set spike_min = env_var('FLEXWH_ALERT_SPIKE_MIN_TOKENS', '100') %}
{%- set spike_factor = env_var('FLEXWH_ALERT_SPIKE_FACTOR', '2') %}
-- insights.md, Alerts: what needs an admin's attention as of as_of, one row per (team,
-- alert_type, subject). Thresholds are inclusive and come from FLEXWH_ALERT_* (checked by
-- core.settings); is_new compares with the alerts of the previous run that ended with
-- exit 0 or 3. Messages hold numbers and pack ids, never a person.
with

overview as (

    select * from {{ ref('rpt_team_overview') }}

),

team_forecast as (

    select * from {{ ref('rpt_team_forecast') }}

),

pack_forecast as (

    select * from {{ ref('rpt_pack_forecast') }}

),

-- Daily sums of the 35 days the spike rule reads; days without use count as 0.
recent_usage as (

    select
        team,
        sum(
            case when day_used >= {{ dbt.dateadd('day', -6, as_of) }} then tokens_used end
        ) as tokens_last_7,
        coalesce(sum(
            case when day_used < {{ dbt.dateadd('day', -6, as_of) }} then tokens_used end
        ), 0) as tokens_28_before

    from {{ ref('fct_daily_usage') }}
    where day_used between {{ dbt.dateadd('day', -34, as_of) }} and {{ as_of }}
    group by team

),

low_balance as (

    select
        team,
        'low_balance' as alert_type,
        '' as subject,
        'warning' as severity,
        'Tokens available ' || cast(tokens_available as {{ dbt.type_string() }})
        || ' are less than a fifth of the active packs'' '
        || cast(tokens_total_active as {{ dbt.type_string() }}) || '.' as message

    from overview
    where low_balance

),

run_out_soon as (

    select
        team,
        'run_out_soon' as alert_type,
        '' as subject,
        case
            when projected_run_out_date <= {{ dbt.dateadd('day', critical_days, as_of) }}
                then 'critical'
            else 'warning'
        end as severity,
        'At ' || cast(burn_rate_30d as {{ dbt.type_string() }})
        || ' tokens a day the team runs out on '
        || cast(projected_run_out_date as {{ dbt.type_string() }}) || ' ('
        || cast(days_of_cover as {{ dbt.type_string() }}) || ' days of cover).' as message

    from team_forecast
    where projected_run_out_date <= {{ dbt.dateadd('day', run_out_days, as_of) }}

),

expiring_unused as (

    select
        team,
        'expiring_unused' as alert_type,
        subscription_id as subject,
        'warning' as severity,
        'Pack ' || subscription_id || ' ends on ' || cast(end_date as {{ dbt.type_string() }})
        || ' with ' || cast(projected_tokens_expiring as {{ dbt.type_string() }})
        || ' tokens projected unused.' as message

    from pack_forecast
    where
        projected_tokens_expiring > 0
        and end_date <= {{ dbt.dateadd('day', expiring_days, as_of) }}

),

unallocated as (

    select
        team,
        'unallocated' as alert_type,
        '' as subject,
        'critical' as severity,
        cast(tokens_unallocated as {{ dbt.type_string() }})
        || ' tokens were consumed with no token pack to cover them.' as message

    from overview
    where tokens_unallocated > 0

),

usage_spike as (

    select
        team,
        'usage_spike' as alert_type,
        '' as subject,
        'warning' as severity,
        cast(tokens_last_7 as {{ dbt.type_string() }})
        || ' tokens used in the last 7 days, over {{ spike_factor }} times the weekly average'
        || ' of the 28 days before ('
        || cast(cast(tokens_28_before / 4 as decimal(18, 3)) as {{ dbt.type_string() }})
        || ').' as message

    from recent_usage
    where
        tokens_last_7 >= cast('{{ spike_min }}' as decimal(18, 3))
        -- × 4 on both sides: exact decimals, no division
        and tokens_last_7 * 4 > cast('{{ spike_factor }}' as decimal(18, 3)) * tokens_28_before

),

alerts as (

    select * from low_balance
    union all
    select * from run_out_soon
    union all
    select * from expiring_unused
    union all
    select * from unallocated
    union all
    select * from usage_spike

),

-- The last run that ended with exit 0 or 3 and recorded its alerts (a run recorded as
-- failed, or one that did not reach the alert step, never counts).
previous_run as (

    select runs.run_id
    from {{ source('audit', 'runs') }} as runs
    inner join {{ source('audit', 'alert_runs') }} as recorded
        on runs.run_id = recorded.run_id
    where runs.exit_code in (0, 3)
    order by runs.ended_at desc
    limit 1

),

previous_alerts as (

    select
        raised.team,
        raised.alert_type,
        raised.subject

    from {{ source('audit', 'alerts_raised') }} as raised
    inner join previous_run on raised.run_id = previous_run.run_id

),

final as (

    select
        alerts.team,
        {{ as_of }} as as_of_date,
        alerts.alert_type,
        alerts.subject,
        alerts.severity,
        alerts.message,
        previous_alerts.team is null as is_new

    from alerts
    left join previous_alerts
        on
            alerts.team = previous_alerts.team
            and alerts.alert_type = previous_alerts.alert_type
            and alerts.subject = previous_alerts.subject

)

select * from final
