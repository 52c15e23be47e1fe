with

purchases as (
    select
        customer_key,
        cast({{ dbt.date_trunc('month', 'ordered_on') }} as date) as purchase_month
    from {{ ref('int_orders__purchases') }}
),

cohorts as (
    select
        customer_key,
        min(purchase_month) as cohort_month
    from purchases
    group by customer_key
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customers
    from cohorts
    group by cohort_month
),

months as (
    select distinct month_start
    from {{ ref('dim_date') }}
    where date_day <= {{ as_of_date() }}
),

cohort_months as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        months.month_start as activity_month,
        {{ periods_between('cohort_sizes.cohort_month', 'months.month_start', 'month') }}
            as months_since_first_purchase
    from cohort_sizes
    inner join months
        on cohort_sizes.cohort_month <= months.month_start
),

activity as (
    select
        cohorts.cohort_month,
        purchases.purchase_month as activity_month,
        count(distinct purchases.customer_key) as active_customers
    from purchases
    inner join cohorts
        on purchases.customer_key = cohorts.customer_key
    group by
        cohorts.cohort_month,
        purchases.purchase_month
),

final as (
    select
        {{ composite_key(['cohort_months.cohort_month', 'cohort_months.months_since_first_purchase'], '+') }}
            as cohort_period_id,
        cohort_months.cohort_month,
        cohort_months.months_since_first_purchase,
        cohort_months.activity_month,
        cohort_months.cohort_customers,
        coalesce(activity.active_customers, 0) as active_customers,
        {{ safe_divide('coalesce(activity.active_customers, 0)', 'cohort_months.cohort_customers') }} as retention_rate
    from cohort_months
    left join activity
        on
            cohort_months.cohort_month = activity.cohort_month
            and cohort_months.activity_month = activity.activity_month
)

select * from final
