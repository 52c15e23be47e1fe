-- A table: the enriched lines, the quarantine and the reconciliation tests all read it.
{{ config(materialized='table') }}

with

order_items as (
    select * from {{ ref('stg_crm__order_items') }}
),

-- A line pointing at no order or no product, or belonging to a quarantined order, is
-- quarantined here with its reason instead of vanishing in a later join.
orders as (
    select
        order_id,
        is_valid
    from {{ ref('int_orders__validated') }}
),

known_products as (
    select distinct product_id from {{ ref('stg_crm__products') }}
),

checked as (
    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.line_number,
        order_items.product_id,
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_amount,
        order_items.updated_at,
        order_items.row_rejection_reason,
        order_items.loaded_copies,
        orders.order_id is not null as is_known_order,
        coalesce(orders.is_valid, false) as is_order_valid,
        known_products.product_id is not null as is_known_product
    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    left join known_products
        on order_items.product_id = known_products.product_id
),

-- The first failing rule wins, in this order: the line's order and product, then the rules
-- staging checks on the line alone (row_rejection_reason).
validated as (
    select
        *,
        coalesce(
            case
                when not is_known_order then 'unknown_order_id'
                when not is_order_valid then 'order_rejected'
                when not is_known_product then 'unknown_product_id'
            end,
            row_rejection_reason
        ) as rejection_reason
    from checked
),

final as (
    select
        order_item_id,
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        updated_at,
        rejection_reason is null as is_valid,
        rejection_reason,
        loaded_copies
    from validated
)

select * from final
