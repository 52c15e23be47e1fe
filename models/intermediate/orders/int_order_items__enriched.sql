-- A table: several models read it (as a view, PostgreSQL re-ran its joins row by row).
{{ config(materialized='table') }}

with

order_items as (
    select * from {{ ref('int_order_items__validated') }}
    where is_valid
),

orders as (
    select * from {{ ref('int_orders__customer_resolved') }}
    where not is_internal_account
),

products as (
    select
        product_id,
        category_id,
        unit_cost_usd
    from {{ ref('stg_crm__products') }}
),

exchange_rates as (
    select
        rate_date,
        currency_code,
        reporting_per_unit
    from {{ ref('int_exchange_rates__to_reporting') }}
),

converted as (
    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.line_number,
        orders.customer_key,
        orders.ordered_at,
        orders.ordered_on,
        orders.channel_code,
        orders.store_id,
        orders.campaign_id,
        orders.order_status,
        order_items.product_id,
        products.category_id,
        order_items.quantity,
        orders.currency_code,
        order_items.unit_price as unit_price_local,
        order_rates.reporting_per_unit as fx_rate_to_reporting,
        -- Each line's converted amounts are rounded to the cent here, once (doc block money):
        -- every total of every mart is then an exact sum of the same cents, so the marts agree
        -- with each other to the cent. Net revenue and margin are derived from these three.
        {{ to_money('order_items.quantity * order_items.unit_price * order_rates.reporting_per_unit') }}
            as gross_revenue,
        {{ to_money('order_items.discount_amount * order_rates.reporting_per_unit') }} as discount_amount,
        -- The catalogue keeps unit costs in USD.
        {{ to_money('order_items.quantity * products.unit_cost_usd * usd_rates.reporting_per_unit') }} as cost,
        {{ is_purchase_status('orders.order_status') }} as is_revenue,
        -- The later of the order's and the line's change: a return changes the header only.
        greatest(
            coalesce(orders.updated_at, orders.ordered_at), coalesce(order_items.updated_at, orders.ordered_at)
        ) as source_updated_at
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join products
        on order_items.product_id = products.product_id
    left join exchange_rates as order_rates
        on
            orders.currency_code = order_rates.currency_code
            and orders.ordered_on = order_rates.rate_date
    left join exchange_rates as usd_rates
        on
            usd_rates.currency_code = 'USD'
            and orders.ordered_on = usd_rates.rate_date
),

final as (
    select
        order_item_id,
        order_id,
        line_number,
        customer_key,
        ordered_at,
        ordered_on,
        channel_code,
        store_id,
        campaign_id,
        order_status,
        product_id,
        category_id,
        quantity,
        currency_code,
        unit_price_local,
        fx_rate_to_reporting,
        gross_revenue,
        discount_amount,
        -- Differences of cents are exact; the casts only keep one money type on every adapter.
        cast(gross_revenue - discount_amount as {{ type_money() }}) as net_revenue,
        cost,
        cast(gross_revenue - discount_amount - cost as {{ type_money() }}) as gross_margin,
        discount_amount > 0 as is_discounted,
        is_revenue,
        cast(case when is_revenue then gross_revenue - discount_amount else 0 end as {{ type_money() }})
            as recognized_net_revenue,
        cast(case when is_revenue then gross_revenue - discount_amount - cost else 0 end as {{ type_money() }})
            as recognized_margin,
        source_updated_at
    from converted
)

select * from final
