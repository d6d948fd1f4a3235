{#- Delivery order of a loaded row as one number, for latest_where: the file's _file_seq,
    then the row's _row_number. Row numbers stay below 10^9 (a file of a billion rows is
    some 100 GB), so the product orders exactly like (_file_seq, _row_number). -#}
{%- set delivery_order = '_file_seq * 1000000000 + _row_number' %}
{%- set has_name = 'first_name is not null or last_name is not null' %}

with

usage_rows as (

    select * from {{ ref('base_autodesk__usage') }}

),

users as (

    select * from {{ ref('stg_autodesk__users') }}

),

user_keys as (

    select * from {{ ref('int_user_keys') }}

),

team_settings as (

    select * from {{ ref('stg_autodesk__team_settings') }}

),

-- metrics.md: the latest non-empty values in the loaded usage rows, whatever their date or
-- later replacement (every loaded row, not the re-delivered staging), in delivery order;
-- first and last name as a pair, from the latest row with either.
usage_identities as (

    select
        team,
        user_id,
        {{ latest_where('email', delivery_order) }} as email,
        {{ latest_where('first_name', delivery_order, has_name) }} as first_name,
        {{ latest_where('last_name', delivery_order, has_name) }} as last_name

    from usage_rows
    group by team, user_id

),

team_users as (

    select
        team,
        user_id
    from usage_identities

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
            when
                usage_identities.first_name is not null
                or usage_identities.last_name is not null
                then usage_identities.first_name
            else users.first_name
        end as first_name,
        case
            when
                usage_identities.first_name is not null
                or usage_identities.last_name is not null
                then usage_identities.last_name
            else users.last_name
        end as last_name,
        coalesce(usage_identities.email, users.email) as email

    from team_users
    left join usage_identities
        on
            team_users.team = usage_identities.team
            and team_users.user_id = usage_identities.user_id
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
