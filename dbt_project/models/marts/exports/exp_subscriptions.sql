{#- The subscriptions as delivered, with the tokens of each token pack, for the
    subscriptions report of exports.md; published in the serving database's `exports`
    schema. A token pack belongs to the team holding it on as_of; any other subscription to
    its team as delivered. The reseller's e-mail address only when that team shows
    personal data. -#}
with

subscriptions as (

    select * from {{ ref('stg_autodesk__subscriptions') }}

),

packs as (

    select * from {{ ref('dim_token_pack') }}

),

teams as (

    select * from {{ ref('dim_team') }}

),

owned as (

    select
        subscriptions.*,
        packs.tokens_consumed,
        packs.tokens_remaining,
        packs.tokens_expired,
        coalesce(packs.current_team, subscriptions.team) as holder

    from subscriptions
    left join packs
        on subscriptions.subscription_id = packs.subscription_id

),

final as (

    select
        owned.holder as team,
        owned.subscription_id,
        owned.contract_number,
        owned.offering_name,
        owned.seat_quantity,
        owned.start_date,
        owned.end_date,
        owned.subscription_status,
        owned.term,
        owned.autorenew_date,
        owned.reseller_name,
        owned.tokens_consumed,
        owned.tokens_remaining,
        owned.tokens_expired,
        case when teams.pii_enabled then owned.reseller_email end as reseller_email

    from owned
    left join teams
        on owned.holder = teams.team

)

select * from final
