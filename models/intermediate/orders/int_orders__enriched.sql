-- A table: its numbering windows run over every order once, not once per reader.
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('int_orders__customer_resolved') }}
    where not is_internal_account
),

order_lines as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as units,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(net_revenue) as net_revenue,
        sum(cost) as cost,
        sum(gross_margin) as gross_margin,
        sum(recognized_net_revenue) as recognized_net_revenue,
        sum(recognized_margin) as recognized_margin,
        max(case when is_discounted then 1 else 0 end) = 1 as is_discounted
    from {{ ref('int_order_items__enriched') }}
    group by order_id
),

joined as (
    select
        orders.order_id,
        orders.customer_key,
        orders.ordered_at,
        orders.ordered_on,
        orders.channel_code,
        orders.store_id,
        orders.sales_rep_id,
        orders.campaign_id,
        orders.order_status,
        orders.currency_code,
        -- An order whose every line was rejected sold nothing: not a purchase.
        {{ is_purchase_status('orders.order_status') }} and coalesce(order_lines.line_count, 0) > 0 as is_purchase,
        coalesce(order_lines.line_count, 0) as line_count,
        coalesce(order_lines.units, 0) as units,
        cast(coalesce(order_lines.gross_revenue, 0) as {{ type_money() }}) as gross_revenue,
        cast(coalesce(order_lines.discount_amount, 0) as {{ type_money() }}) as discount_amount,
        cast(coalesce(order_lines.net_revenue, 0) as {{ type_money() }}) as net_revenue,
        cast(coalesce(order_lines.cost, 0) as {{ type_money() }}) as cost,
        cast(coalesce(order_lines.gross_margin, 0) as {{ type_money() }}) as gross_margin,
        cast(coalesce(order_lines.recognized_net_revenue, 0) as {{ type_money() }}) as recognized_net_revenue,
        cast(coalesce(order_lines.recognized_margin, 0) as {{ type_money() }}) as recognized_margin,
        coalesce(order_lines.is_discounted, false) as is_discounted
    from orders
    left join order_lines
        on orders.order_id = order_lines.order_id
),

purchases as (
    select
        order_id,
        ordered_on,
        row_number() over (
            partition by customer_key order by ordered_at, order_id
        ) as purchase_number,
        lag(ordered_on) over (
            partition by customer_key order by ordered_at, order_id
        ) as previous_purchase_on
    from joined
    where is_purchase
),

final as (
    select
        joined.*,
        purchases.purchase_number,
        coalesce(purchases.purchase_number = 1, false) as is_first_purchase,
        {{ periods_between('purchases.previous_purchase_on', 'purchases.ordered_on', 'day') }}
            as days_since_previous_purchase
    from joined
    left join purchases
        on joined.order_id = purchases.order_id
)

select * from final
