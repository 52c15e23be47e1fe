with

snapshots as (
    select
        month_start,
        purchases_to_date,
        is_churned,
        was_churned,
        previous_purchases_to_date as previous_purchases
    from {{ ref('fct_customer_monthly_snapshot') }}
),

monthly as (
    select
        month_start,
        count(case when previous_purchases > 0 and not was_churned then 1 end) as active_customers_at_start,
        count(case when previous_purchases > 0 and not was_churned and is_churned then 1 end) as churned_customers,
        count(case when was_churned and not is_churned then 1 end) as reactivated_customers,
        count(case when purchases_to_date > 0 and not is_churned then 1 end) as active_customers_at_end
    from snapshots
    group by month_start
),

final as (
    select
        month_start,
        active_customers_at_start,
        churned_customers,
        reactivated_customers,
        active_customers_at_end,
        {{ safe_divide('churned_customers', 'active_customers_at_start') }} as churn_rate,
        1 - {{ safe_divide('churned_customers', 'active_customers_at_start') }} as retention_rate
    from monthly
)

select * from final
