-- Customer and time marts tell the same story as the orders they come from, as of
-- as_of_date: recognized revenue and margin in dim_customers, the daily and monthly facts
-- and the lifetime-value model add up to the enriched orders, and the value pyramid covers
-- every buying customer with tier sizes near their boundaries. One row per failed check.
{%- set tier_shares = [
    ('key', var('value_tier_key_share')),
    ('major', var('value_tier_major_share') - var('value_tier_key_share')),
    ('ordinary', var('value_tier_ordinary_share') - var('value_tier_major_share')),
    ('small', 1 - var('value_tier_ordinary_share')),
] %}

with

orders as (
    select
        sum(enriched.recognized_net_revenue) as revenue,
        sum(enriched.recognized_margin) as margin
    from {{ ref('int_orders__enriched') }} as enriched
    where enriched.is_purchase and enriched.ordered_on <= {{ as_of_date() }}
),

customers as (
    select
        sum(dim.revenue_to_date) as revenue,
        sum(dim.margin_to_date) as margin,
        count(case when dim.purchases_to_date > 0 then 1 end) as buyers
    from {{ ref('dim_customers') }} as dim
),

daily as (
    select sum(daily_facts.net_revenue) as revenue
    from {{ ref('fct_sales_daily') }} as daily_facts
),

monthly as (
    select sum(monthly_facts.net_revenue) as revenue
    from {{ ref('fct_sales_monthly') }} as monthly_facts
),

lifetime_value as (
    select sum(ltv.historical_margin) as margin
    from {{ ref('fct_customer_lifetime_value') }} as ltv
),

pyramid as (
    select
        tiers.value_tier,
        tiers.customers,
        tiers.customer_share
    from {{ ref('rpt_customer_value_pyramid') }} as tiers
),

checks as (
    select
        'dim_customers revenue' as check_name,
        customers.revenue as actual,
        orders.revenue as expected,
        0.01 as tolerance
    from customers cross join orders
    union all
    select
        'dim_customers margin' as check_name,
        customers.margin as actual,
        orders.margin as expected,
        0.01 as tolerance
    from customers cross join orders
    union all
    select
        'daily revenue' as check_name,
        daily.revenue as actual,
        orders.revenue as expected,
        0.01 as tolerance
    from daily cross join orders
    union all
    select
        'monthly revenue' as check_name,
        monthly.revenue as actual,
        orders.revenue as expected,
        0.01 as tolerance
    from monthly cross join orders
    union all
    -- rounded to cents per customer
    select
        'lifetime value margin' as check_name,
        lifetime_value.margin as actual,
        orders.margin as expected,
        0.01 * customers.buyers as tolerance
    from lifetime_value cross join orders cross join customers
    union all
    select
        'pyramid customers' as check_name,
        (select sum(pyramid.customers) from pyramid) as actual,
        customers.buyers as expected,
        0 as tolerance
    from customers
    {% for tier, share in tier_shares %}
    union all
    select
        'pyramid share {{ tier }}' as check_name,
        pyramid.customer_share as actual,
        {{ share }} as expected,
        0.01 as tolerance
    from pyramid
    where pyramid.value_tier = '{{ tier }}'
    {% endfor %}
)

select
    checks.check_name,
    checks.actual,
    checks.expected,
    checks.tolerance
from checks
where checks.actual is null or abs(checks.actual - checks.expected) > checks.tolerance
