with

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days; one
-- row per grain, team, window, user, product and version, so no grouping here).
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
        days_used

    from windowed_usage

)

select * from final
