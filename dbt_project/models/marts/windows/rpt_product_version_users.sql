with

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days; one
-- row per grain, team, window, user, product and version, so a version's rows are its
-- users).
windowed_usage as (

    select * from {{ ref('int_window_usage') }}
    where grain = 'version'

),

final as (

    select
        team,
        window_key,
        as_of_date,
        product_name,
        version,
        count(*) as users  -- noqa: RF04

    from windowed_usage
    group by team, window_key, as_of_date, product_name, version

)

select * from final
