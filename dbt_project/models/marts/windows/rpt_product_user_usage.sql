with

user_identities as (

    select * from {{ ref('int_user_identities') }}

),

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days; one
-- row per grain, team, window, user and product, so no grouping here).
windowed_usage as (

    select * from {{ ref('int_window_usage') }}
    where grain = 'product'

),

-- One row per (team, user_key): identities are unique per (team, user_id) and user_key is
-- one-to-one with user_id; grouping makes the join unable to fan out all the same.
user_names as (

    select
        team,
        user_key,
        min(user_name) as user_name

    from user_identities
    group by team, user_key

),

product_user_usage as (

    select
        team,
        window_key,
        as_of_date,
        months,
        product_name,
        user_key,
        tokens_used as total_tokens,
        days_used

    from windowed_usage

),

-- user_name under the team's pii_enabled (int_user_identities, metrics.md).
final as (

    select
        product_user_usage.team,
        product_user_usage.window_key,
        product_user_usage.as_of_date,
        product_user_usage.product_name,
        product_user_usage.user_key,
        user_names.user_name,
        product_user_usage.total_tokens,
        {{ divide_half_up('product_user_usage.total_tokens', 'product_user_usage.months') }}
            as avg_tokens_per_month,
        product_user_usage.days_used

    from product_user_usage
    left join user_names
        on
            product_user_usage.team = user_names.team
            and product_user_usage.user_key = user_names.user_key

)

select * from final
