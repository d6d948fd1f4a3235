{%- set as_of = "cast('" ~ var('as_of') ~ "' as date)" %}
{#- Length of the calendar the team days are cut from: 100,000 days (273 years) back from
    as_of, far beyond any Flex history; assert_team_balance_covers_every_day fails the
    build if a team's days ever reach further. -#}
{%- set calendar_days = 100000 %}

with

-- warehouse.md: the usage marts read the one usage fact table (already cut at as_of).
daily_usage_rows as (

    select * from {{ ref('fct_daily_usage') }}

),

ledger_entries as (

    select * from {{ ref('int_ledger_entries') }}

),

daily_usage as (

    select
        team,
        day_used as day,  -- noqa: RF04
        sum(tokens_used) as tokens_consumed

    from daily_usage_rows
    where day_used <= {{ as_of }}
    group by team, day_used

),

daily_entries as (

    select
        team,
        day,
        sum(case when entry_type = 'allocation' then tokens else 0 end) as tokens_allocated,
        sum(case when entry_type = 'unallocated' then tokens else 0 end) as tokens_unallocated,
        sum(
            case when entry_type = 'event' and tokens > 0 then tokens else 0 end
        ) as tokens_added,
        sum(
            case when entry_type = 'event' and tokens < 0 then -tokens else 0 end
        ) as tokens_removed,
        count(case when entry_type = 'event' then 1 end) as token_events

    from ledger_entries
    where
        entry_type in ('allocation', 'unallocated', 'event')
        and day <= {{ as_of }}
    group by team, day

),

team_days_with_data as (

    select
        team,
        day
    from daily_usage

    union all

    select
        team,
        day
    from daily_entries
    where token_events > 0

),

-- warehouse.md: a team's days run from its first token event or usage row to as_of.
team_first_days as (

    select
        team,
        min(day) as first_day

    from team_days_with_data
    group by team

),

calendar_length as (

    select
        {{ dbt.datediff('min(first_day)', as_of, 'day') }}
        + 1 as n_days

    from team_first_days

),

day_numbers as (

    {{ dbt.generate_series(calendar_days) }}

),

calendar as (

    select
        cast(
            {{ dbt.dateadd('day', '1 - day_numbers.generated_number', as_of) }} as date
        ) as day  -- noqa: RF04

    from day_numbers
    inner join calendar_length
        on day_numbers.generated_number <= calendar_length.n_days

),

team_days as (

    select
        team_first_days.team,
        calendar.day

    from team_first_days
    inner join calendar
        on team_first_days.first_day <= calendar.day

),

daily as (

    select
        team_days.team,
        team_days.day,
        cast(coalesce(daily_usage.tokens_consumed, 0) as decimal(18, 3)) as tokens_consumed,
        cast(coalesce(daily_entries.tokens_allocated, 0) as decimal(18, 3)) as tokens_allocated,
        cast(
            coalesce(daily_entries.tokens_unallocated, 0) as decimal(18, 3)
        ) as tokens_unallocated,
        cast(coalesce(daily_entries.tokens_added, 0) as decimal(18, 3)) as tokens_added,
        cast(coalesce(daily_entries.tokens_removed, 0) as decimal(18, 3)) as tokens_removed

    from team_days
    left join daily_usage
        on team_days.team = daily_usage.team and team_days.day = daily_usage.day
    left join daily_entries
        on team_days.team = daily_entries.team and team_days.day = daily_entries.day

),

final as (

    select
        team,
        day,
        tokens_consumed,
        tokens_allocated,
        tokens_unallocated,
        tokens_added,
        tokens_removed,
        -- metrics.md: available(d) = available(d - 1) + added(d) - removed(d) - allocated(d)
        cast(
            sum(tokens_added - tokens_removed - tokens_allocated) over (
                partition by team
                order by day
                rows between unbounded preceding and current row
            ) as decimal(18, 3)
        ) as tokens_available_eod

    from daily

)

select * from final
