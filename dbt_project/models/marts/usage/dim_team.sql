with

usage as (

    select * from {{ ref('stg_autodesk__usage') }}

),

subscriptions as (

    select * from {{ ref('stg_autodesk__subscriptions') }}

),

users as (

    select * from {{ ref('stg_autodesk__users') }}

),

token_events as (

    select * from {{ ref('stg_autodesk__token_events') }}

),

team_settings as (

    select * from {{ ref('stg_autodesk__team_settings') }}

),

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

-- warehouse.md: every team named in a loaded row of any feed, whatever its date. Token
-- events name teams only in the columns their type uses (the others are NULL from ingest).
-- Re-delivered usage keeps every team (a later file replaces (team, day) with rows of the
-- same team), so staged usage names the same teams as the loaded rows.
named_teams as (

    select team from usage
    union
    select team from subscriptions
    union
    select team from users
    union
    select from_team as team from token_events
    union
    select to_team as team from token_events
    union
    select team from team_settings

),

-- Over usage rows up to as_of (fct_daily_usage), zero-token rows included.
usage_days as (

    select
        team,
        min(day_used) as first_usage_day,
        max(day_used) as last_usage_day

    from daily_usage
    group by team

),

teams as (

    select
        named_teams.team,
        usage_days.first_usage_day,
        usage_days.last_usage_day,
        -- feeds.md: a team without a settings row has personal data hashed.
        coalesce(team_settings.pii_enabled, false) as pii_enabled

    from named_teams
    left join team_settings
        on named_teams.team = team_settings.team
    left join usage_days
        on named_teams.team = usage_days.team
    where named_teams.team is not null

),

final as (

    select
        team,
        pii_enabled,
        first_usage_day,
        last_usage_day

    from teams

)

select * from final
