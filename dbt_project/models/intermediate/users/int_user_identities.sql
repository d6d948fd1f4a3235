{#- Incremental (docs/incremental.md), by (team, user_id): a run recomputes the users with
    usage rows of files after the watermark, users-feed rows after it, and every user of a
    team whose settings row is after it. The usage values are the latest in delivery order,
    and rows of later files come after every row already read: a user's latest values are
    those of the new rows when they have them, else the ones held (usage_* columns), so
    earlier files are never read again. Everything is recomputed when there is no
    watermark or when the user keys changed (checked on one held row). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['team', 'user_id'],
    on_schema_change='fail',
    post_hook="{{ record_incremental_watermark(
        'select max(_file_seq) from (select max(_file_seq) as _file_seq from '
        ~ ref('base_autodesk__usage') ~ ' union all select max(_file_seq) from '
        ~ ref('stg_autodesk__users') ~ ' union all select max(_file_seq) from '
        ~ ref('stg_autodesk__team_settings') ~ ') as inputs') }}"
) }}
{#- Delivery order of a loaded row as one number, for latest_where: the file's _file_seq,
    then the row's _row_number. Row numbers stay below 10^9 (a file of a billion rows is
    some 100 GB), so the product orders exactly like (_file_seq, _row_number). -#}
{%- set delivery_order = '_file_seq * 1000000000 + _row_number' %}
{%- set has_name = 'first_name is not null or last_name is not null' %}
{%- set watermark = none %}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark() %}
    {%- set held_user_id = query_value('select min(user_id) from ' ~ this) %}
    {%- if held_user_id is not none and query_value(
        'select count(*) from ' ~ this ~ ' as held inner join ' ~ ref('int_user_keys')
        ~ ' as user_keys on held.user_id = user_keys.user_id'
        ~ ' where held.user_id = ' ~ sql_string(held_user_id)
        ~ ' and held.user_key = user_keys.user_key'
    ) == 0 %}
        {%- set watermark = none %}
    {%- endif %}
{%- endif %}

with

usage_rows as (

    select * from {{ ref('base_autodesk__usage') }}
    {%- if watermark is not none %}
    where _file_seq > {{ watermark }}
    {%- endif %}

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
new_usage_identities as (

    select
        team,
        user_id,
        {{ latest_where('email', delivery_order) }} as email,
        {{ latest_where('first_name', delivery_order, has_name) }} as first_name,
        {{ latest_where('last_name', delivery_order, has_name) }} as last_name

    from usage_rows
    group by team, user_id

),

{% if watermark is none %}

    usage_identities as (

        select * from new_usage_identities

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
{% else %}

    held as (

        select * from {{ this }}

    ),

    -- The users to recompute: new usage rows, a new users-feed row, a new settings row.
    team_users as (

        select
            team,
            user_id
        from new_usage_identities

        union

        select
            team,
            user_id
        from users
        where _file_seq > {{ watermark }}

        union

        select
            held.team,
            held.user_id
        from held
        inner join team_settings
            on held.team = team_settings.team
        where team_settings._file_seq > {{ watermark }}

    ),

    -- Rows of new files are later than every held row: their values win when present.
    usage_identities as (

        select
            team_users.team,
            team_users.user_id,
            coalesce(new_usage_identities.email, held.usage_email) as email,
            case
                when
                    new_usage_identities.first_name is not null
                    or new_usage_identities.last_name is not null
                    then new_usage_identities.first_name
                else held.usage_first_name
            end as first_name,
            case
                when
                    new_usage_identities.first_name is not null
                    or new_usage_identities.last_name is not null
                    then new_usage_identities.last_name
                else held.usage_last_name
            end as last_name

        from team_users
        left join new_usage_identities
            on
                team_users.team = new_usage_identities.team
                and team_users.user_id = new_usage_identities.user_id
        left join held
            on
                team_users.team = held.team
                and team_users.user_id = held.user_id

    ),
{% endif %}

-- Else the latest users-feed row of the same (team, user_id): per value, so a usage row
-- with a name but no e-mail address still takes the address from the users feed.
identities as (

    select
        team_users.team,
        team_users.user_id,
        usage_identities.email as usage_email,
        usage_identities.first_name as usage_first_name,
        usage_identities.last_name as usage_last_name,
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
        identities.usage_email,
        identities.usage_first_name,
        identities.usage_last_name,
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
        usage_email,
        usage_first_name,
        usage_last_name,
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
