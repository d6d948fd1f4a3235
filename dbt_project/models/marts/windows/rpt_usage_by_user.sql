with

report_windows as (

    select * from {{ ref('dim_report_window') }}

),

daily_usage as (

    select * from {{ ref('fct_daily_usage') }}

),

user_identities as (

    select * from {{ ref('int_user_identities') }}

),

windowed_usage as (

    select
        report_windows.window_key,
        report_windows.as_of_date,
        report_windows.start_date,
        report_windows.end_date,
        report_windows.months,
        daily_usage.team,
        daily_usage.day_used,
        daily_usage.user_key,
        daily_usage.product_name,
        daily_usage.tokens_used

    from daily_usage
    inner join report_windows
        on daily_usage.day_used between report_windows.start_date and report_windows.end_date

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
        cast(sum(tokens_used) as decimal(18, 3)) as total_tokens,
        count(distinct day_used) as days_used,
        {{ dbt.datediff('start_date', 'end_date', 'day') }} + 1 as days_in_window  -- noqa: LT05

    from windowed_usage
    group by team, window_key, as_of_date, start_date, end_date, months, user_key

),

user_products as (

    select distinct
        team,
        window_key,
        user_key,
        product_name

    from windowed_usage

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
