-- One row per customer and evaluation date (month ends and as_of_date): what the customer
-- had bought by that date. Only purchases (completed orders) count. Customers appear from
-- the first evaluation date on or after their sign-up.
with

customers as (
    select
        customer_key,
        signed_up_on
    from {{ ref('int_customers__as_of') }}
),

evaluation_dates as (
    select evaluation_date from {{ ref('int_calendar__evaluation_dates') }}
),

purchases as (
    select
        customer_key,
        order_id,
        ordered_on,
        recognized_net_revenue,
        recognized_margin,
        purchase_number,
        days_since_previous_purchase
    from {{ ref('int_orders__purchases') }}
),

customer_dates as (
    select
        customers.customer_key,
        evaluation_dates.evaluation_date
    from customers
    cross join evaluation_dates
    where customers.signed_up_on <= evaluation_dates.evaluation_date
),

totals as (
    select
        customer_dates.customer_key,
        customer_dates.evaluation_date,
        count(purchases.order_id) as purchases_to_date,
        min(purchases.ordered_on) as first_purchase_on,
        max(purchases.ordered_on) as last_purchase_on,
        max(purchases.purchase_number) as last_purchase_number,
        cast(coalesce(sum(purchases.recognized_net_revenue), 0) as {{ type_money() }}) as revenue_to_date,
        cast(coalesce(sum(purchases.recognized_margin), 0) as {{ type_money() }}) as margin_to_date,
        count(
            case
                when
                    purchases.ordered_on
                    > {{ dbt.dateadd('day', '-' ~ var('rfm_window_days'), 'customer_dates.evaluation_date') }}
                    then purchases.order_id
            end
        ) as purchases_in_window,
        cast(coalesce(sum(
            case
                when
                    purchases.ordered_on
                    > {{ dbt.dateadd('day', '-' ~ var('rfm_window_days'), 'customer_dates.evaluation_date') }}
                    then purchases.recognized_net_revenue
            end
        ), 0) as {{ type_money() }}) as revenue_in_window
    from customer_dates
    left join purchases
        on
            customer_dates.customer_key = purchases.customer_key
            and customer_dates.evaluation_date >= purchases.ordered_on
    group by
        customer_dates.customer_key,
        customer_dates.evaluation_date
),

final as (
    select
        totals.customer_key,
        totals.evaluation_date,
        totals.purchases_to_date,
        totals.first_purchase_on,
        totals.last_purchase_on,
        {{ periods_between('totals.last_purchase_on', 'totals.evaluation_date', 'day') }}
            as days_since_last_purchase,
        {{ periods_between('totals.first_purchase_on', 'totals.evaluation_date', 'day') }}
            as days_since_first_purchase,
        totals.revenue_to_date,
        totals.margin_to_date,
        totals.purchases_in_window,
        totals.revenue_in_window,
        case
            when totals.purchases_to_date >= 2
                then {{ safe_divide(
                    periods_between('totals.first_purchase_on', 'totals.last_purchase_on', 'day'),
                    'totals.purchases_to_date - 1',
                ) }}
        end as mean_days_between_purchases,
        last_purchase.days_since_previous_purchase as days_between_last_two_purchases
    from totals
    left join purchases as last_purchase
        on
            totals.customer_key = last_purchase.customer_key
            and totals.last_purchase_number = last_purchase.purchase_number
)

select * from final
