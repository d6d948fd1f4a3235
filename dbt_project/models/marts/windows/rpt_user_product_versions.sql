with

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days).
windowed_usage as (

    select * from {{ ref('int_window_usage') }}
    where grain = 'version'

),

final as (

    select
        team,
        window_key,
        as_of_date,
        user_key,
        product_name,
        version,
        cast(sum(days_used) as bigint) as days_used

    from windowed_usage
    group by team, window_key, as_of_date, user_key, product_name, version

)

select * from final
