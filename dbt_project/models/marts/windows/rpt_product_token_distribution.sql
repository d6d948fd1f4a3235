with

-- The window's usage at the grain this mart needs (int_window_usage: Σ tokens, days; one
-- row per grain, team, window, user and product, so each user's Σ for the product).
windowed_usage as (

    select * from {{ ref('int_window_usage') }}
    where grain = 'product'

),

user_product_tokens as (

    select
        team,
        window_key,
        as_of_date,
        product_name,
        user_key,
        tokens_used as tokens

    from windowed_usage

),

-- By the rule, not the label: x ≤ 100, 100 < x ≤ 500, …, x > 5000 (100.5 is in 101-500).
user_buckets as (

    select
        team,
        window_key,
        product_name,
        case
            when tokens <= 100 then 1
            when tokens <= 500 then 2
            when tokens <= 1000 then 3
            when tokens <= 5000 then 4
            else 5
        end as bucket_order

    from user_product_tokens

),

bucket_users as (

    select
        team,
        window_key,
        product_name,
        bucket_order,
        count(*) as users  -- noqa: RF04

    from user_buckets
    group by team, window_key, product_name, bucket_order

),

window_products as (

    select distinct
        team,
        window_key,
        as_of_date,
        product_name

    from user_product_tokens

),

-- The buckets of metrics.md, in order.
bucket_list as (

    select
        '0-100' as bucket,
        1 as bucket_order
    union all
    select
        '101-500' as bucket,
        2 as bucket_order
    union all
    select
        '501-1000' as bucket,
        3 as bucket_order
    union all
    select
        '1001-5000' as bucket,
        4 as bucket_order
    union all
    select
        '5001+' as bucket,
        5 as bucket_order

),

-- Every product used in the window gets all five buckets, 0 users included.
final as (

    select
        window_products.team,
        window_products.window_key,
        window_products.as_of_date,
        window_products.product_name,
        bucket_list.bucket,
        cast(bucket_list.bucket_order as integer) as bucket_order,
        coalesce(bucket_users.users, 0) as users  -- noqa: RF04

    from window_products
    cross join bucket_list
    left join bucket_users
        on
            window_products.team = bucket_users.team
            and window_products.window_key = bucket_users.window_key
            and window_products.product_name = bucket_users.product_name
            and bucket_list.bucket_order = bucket_users.bucket_order

)

select * from final
