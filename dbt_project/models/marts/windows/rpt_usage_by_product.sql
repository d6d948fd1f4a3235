with

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days; one
-- row per grain, team, window, user and product, so a product's rows are its users).
windowed_usage as (

    select * from {{ ref('int_window_usage') }}
    where grain = 'product'

),

product_usage as (

    select
        team,
        window_key,
        as_of_date,
        months,
        product_name,
        cast(sum(tokens_used) as decimal(18, 3)) as total_tokens,
        count(*) as total_users

    from windowed_usage
    group by team, window_key, as_of_date, months, product_name

),

-- avg_tokens_per_month: total_tokens / the window's months, half-up to 2 decimals, exact.
final as (

    select
        team,
        window_key,
        as_of_date,
        product_name,
        total_users,
        total_tokens,
        {{ divide_half_up('total_tokens', 'months') }} as avg_tokens_per_month

    from product_usage

)

select * from final
