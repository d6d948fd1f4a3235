-- insights.md, Chargeback: the cost centre of a user from valid_from on (NULL: from the
-- beginning). Rows accumulate across files; on the same (team, user, valid_from) the later
-- file wins (delivery order). An e-mail address is compared lower-cased.
with

source as (

    select * from {{ source('raw', 'cost_centers') }}

),

renamed as (

    select
        team,
        case
            when {{ adapter.quote('user') }} like '%@%' then lower({{ adapter.quote('user') }})
            else {{ adapter.quote('user') }}
        end as user_ref,
        cost_center,
        valid_from,
        _file_seq,
        _row_number

    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by team, user_ref, valid_from
            order by _file_seq desc, _row_number desc
        ) as recency_rank

    from renamed

),

final as (

    select
        team,
        user_ref,
        cost_center,
        valid_from,
        _file_seq,
        _row_number,
        user_ref like '%@%' as user_is_email

    from ranked
    where recency_rank = 1

)

select * from final
