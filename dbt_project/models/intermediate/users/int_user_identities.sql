-- One row per team and resolved user_id (feeds.md, "User identity") of the usage rows and
-- the users feed, rebuilt on every run: a person's delivered identities (an Autodesk ID,
-- an e-mail address) merge as soon as a loaded row links them, whatever the file.
with

usage_identities as (

    select * from {{ ref('int_usage_identities') }}

),

email_ids as (

    select * from {{ ref('int_email_autodesk_ids') }}

),

users as (

    select * from {{ ref('int_users') }}

),

user_keys as (

    select * from {{ ref('int_user_keys') }}

),

team_settings as (

    select * from {{ ref('stg_autodesk__team_settings') }}

),

resolved_usage_identities as (

    {{ select_with_user_id('usage_identities', 'email_ids') }}

),

-- metrics.md: the latest non-empty values of the person's loaded usage rows in delivery
-- order, across the identities they were delivered under; names as a pair.
usage_values as (

    select
        team,
        user_id,
        {{ latest_where('email', 'email_order', 'email_order is not null') }} as email,
        {{ latest_where('first_name', 'name_order', 'name_order is not null') }} as first_name,
        {{ latest_where('last_name', 'name_order', 'name_order is not null') }} as last_name,
        max(name_order) is not null as has_usage_name

    from resolved_usage_identities
    group by team, user_id

),

team_users as (

    select
        team,
        user_id
    from usage_values

    union

    select
        team,
        user_id
    from users

),

-- Else the latest users-feed row of the same (team, user_id): per value, so a usage row
-- with a name but no e-mail address still takes the address from the users feed.
identities as (

    select
        team_users.team,
        team_users.user_id,
        case
            when usage_values.has_usage_name then usage_values.first_name
            else users.first_name
        end as first_name,
        case
            when usage_values.has_usage_name then usage_values.last_name
            else users.last_name
        end as last_name,
        coalesce(usage_values.email, users.email) as email

    from team_users
    left join usage_values
        on
            team_users.team = usage_values.team
            and team_users.user_id = usage_values.user_id
    left join users
        on
            team_users.team = users.team
            and team_users.user_id = users.user_id

),

with_settings as (

    select
        identities.team,
        identities.user_id,
        user_keys.user_key,
        identities.first_name,
        identities.last_name,
        identities.email,
        -- feeds.md: a team without a settings row has personal data hashed.
        coalesce(team_settings.pii_enabled, false) as pii_enabled,
        -- "first last"; a name with one part shows that part; NULL when neither.
        nullif(
            trim(coalesce(identities.first_name, '') || ' ' || coalesce(identities.last_name, '')),
            ''
        ) as full_name

    from identities
    left join user_keys
        on identities.user_id = user_keys.user_id
    left join team_settings
        on identities.team = team_settings.team

),

final as (

    select
        team,
        user_id,
        user_key,
        pii_enabled,
        first_name,
        last_name,
        email,
        case
            when pii_enabled then coalesce(full_name, email, user_key)
            else user_key
        end as user_name,
        case
            when pii_enabled then email
            else '*****'
        end as user_email

    from with_settings

)

select * from final
