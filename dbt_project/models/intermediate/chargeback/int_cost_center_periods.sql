{%- set next_valid_from =
    'lead(valid_from) over (partition by team, user_key order by valid_from)' %}
-- insights.md, Chargeback: each user's cost centre over time, by user_key: the rows of
-- stg_company__cost_centers whose user is a user of the team, each valid from its
-- valid_from (the beginning when NULL) to the day before the user's next row. An e-mail
-- resolves to the team's Autodesk ID as feeds.md's identity step 2 does; any other value
-- is matched against the Autodesk ID, then against the hashed Autodesk ID. Rows of users
-- the warehouse does not know are left out (they have no usage to charge).
with

cost_centers as (

    select * from {{ ref('stg_company__cost_centers') }}

),

identities as (

    select
        team,
        user_id,
        user_key

    from {{ ref('int_user_identities') }}

),

email_ids as (

    select * from {{ ref('int_email_autodesk_ids') }}

),

-- A hashed Autodesk ID delivered beside an Autodesk ID: the user is that Autodesk ID.
hashed_links as (

    select
        team,
        hashed_autodesk_id,
        min(autodesk_id) as autodesk_id

    from {{ ref('base_autodesk__usage') }}
    where hashed_autodesk_id is not null and autodesk_id is not null
    group by team, hashed_autodesk_id

),

resolved as (

    select
        cost_centers.team,
        cost_centers.cost_center,
        cost_centers.valid_from,
        cost_centers._file_seq,
        cost_centers._row_number,
        case
            when cost_centers.user_is_email
                then coalesce(email_ids.autodesk_id, 'e:' || cost_centers.user_ref)
            else coalesce(by_id.user_id, hashed_links.autodesk_id, by_hash.user_id)
        end as user_id

    from cost_centers
    left join email_ids
        on
            cost_centers.user_is_email
            and cost_centers.team = email_ids.team
            and cost_centers.user_ref = email_ids.email
    left join identities as by_id
        on
            not cost_centers.user_is_email
            and cost_centers.team = by_id.team
            and cost_centers.user_ref = by_id.user_id
    left join hashed_links
        on
            not cost_centers.user_is_email
            and cost_centers.team = hashed_links.team
            and cost_centers.user_ref = hashed_links.hashed_autodesk_id
    left join identities as by_hash
        on
            not cost_centers.user_is_email
            and cost_centers.team = by_hash.team
            and 'h:' || cost_centers.user_ref = by_hash.user_id

),

-- One row per user and valid_from: the same person named two ways (e-mail, Autodesk ID)
-- on the same valid_from keeps the later delivered row.
keyed as (

    select
        resolved.team,
        identities.user_key,
        resolved.cost_center,
        coalesce(resolved.valid_from, cast('1900-01-01' as date)) as valid_from,
        row_number() over (
            partition by resolved.team, identities.user_key, resolved.valid_from
            order by resolved._file_seq desc, resolved._row_number desc
        ) as recency_rank

    from resolved
    inner join identities
        on resolved.team = identities.team and resolved.user_id = identities.user_id

),

final as (

    select
        team,
        user_key,
        cost_center,
        valid_from,
        cast({{ dbt.dateadd('day', -1, next_valid_from) }} as date) as valid_to

    from keyed
    where recency_rank = 1

)

select * from final
