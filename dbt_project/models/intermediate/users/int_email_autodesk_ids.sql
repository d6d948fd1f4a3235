-- Per team and lower-cased e-mail address: how many Autodesk IDs it belongs to, and the
-- one it resolves to (feeds.md, "User identity", step 2): only an e-mail of exactly one
-- Autodesk ID resolves; an ambiguous one stays as delivered.
with

links as (

    select * from {{ ref('int_user_email_links') }}

),

final as (

    select
        team,
        email,
        count(*) as autodesk_id_count,
        case when count(*) = 1 then min(autodesk_id) end as autodesk_id,
        -- The file that last changed the e-mail's links: usage delivered under the e-mail
        -- before it may resolve differently now (fct_daily_usage recomputes its days).
        max(first_file_seq) as last_linked_file_seq

    from links
    group by team, email

)

select * from final
