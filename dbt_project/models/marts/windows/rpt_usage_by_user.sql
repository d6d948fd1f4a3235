with

user_identities as (

    select * from {{ ref('int_user_identities') }}

),

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days; one
-- row per grain, team, window and user, so no grouping here).
windowed_usage as (

    select * from {{ ref('int_window_usage') }}
    where grain = 'user'

),

-- One row per (team, user_key): identities are unique per (team, user_id) and user_key is
-- one-to-one with user_id; grouping makes the join unable to fan out all the same.
user_names as (

    select
        team,
        user_key,
        min(user_name) as user_name,
        min(user_email) as user_email

    from user_identities
    group by team, user_key

),

user_usage as (

    select
        team,
        window_key,
        as_of_date,
        start_date,
        end_date,
        months,
        user_key,
        tokens_used as total_tokens,
        days_used,
        {{ dbt.datediff('start_date', 'end_date', 'day') }} + 1 as days_in_window  -- noqa: LT05

    from windowed_usage

),

user_products as (

    select
        team,
        window_key,
        user_key,
        product_name

    from {{ ref('int_window_usage') }}
    where grain = 'product'

),

-- product_names: the distinct names in code-point order, joined with ', '.
user_product_names as (

    select
        team,
        window_key,
        user_key,
        count(*) as products_used,
        {{ join_sorted('product_name', ', ') }} as product_names

    from user_products
    group by team, window_key, user_key

),

-- user_name and user_email under the team's pii_enabled (int_user_identities, metrics.md).
final as (

    select
        user_usage.team,
        user_usage.window_key,
        user_usage.as_of_date,
        user_usage.user_key,
        user_names.user_name,
        user_names.user_email,
        user_product_names.products_used,
        user_product_names.product_names,
        user_usage.total_tokens,
        {{ divide_half_up('user_usage.total_tokens', 'user_usage.months') }}
            as avg_tokens_per_month,
        user_usage.days_used,
        user_usage.days_in_window

    from user_usage
    inner join user_product_names
        on
            user_usage.team = user_product_names.team
            and user_usage.window_key = user_product_names.window_key
            and user_usage.user_key = user_product_names.user_key
    left join user_names
        on
            user_usage.team = user_names.team
            and user_usage.user_key = user_names.user_key

)

select * from final
