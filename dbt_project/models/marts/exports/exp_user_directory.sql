{#- What exports show of a user, published in the serving database's `exports` schema so
    that every export reads only what a run published (docs/exports.md). Personal data only
    for teams that allow it: a hashed team's rows hold the user_key and nothing else that
    names the person. -#}
with

identities as (

    select * from {{ ref('int_user_identities') }}

),

users as (

    select * from {{ ref('int_users') }}

),

final as (

    select
        identities.team,
        identities.user_key,
        identities.pii_enabled,
        users.role,
        users.account_status,
        -- user_id is the Autodesk ID unless it was made from a hashed ID or an e-mail.
        case
            when
                identities.pii_enabled
                and not starts_with(identities.user_id, 'h:')
                and not starts_with(identities.user_id, 'e:')
                then identities.user_id
        end as autodesk_id,
        case when identities.pii_enabled then identities.email end as email,
        case when identities.pii_enabled then identities.first_name end as first_name,
        case when identities.pii_enabled then identities.last_name end as last_name,
        users.user_id is not null as in_users_feed

    from identities
    left join users
        on
            identities.team = users.team
            and identities.user_id = users.user_id

)

select * from final
