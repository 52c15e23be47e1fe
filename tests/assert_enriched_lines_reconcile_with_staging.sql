-- No valid order line is lost on its way to int_order_items__enriched: every valid line of
-- int_order_items__validated is either enriched or belongs to an internal test account. A valid
-- line whose order is missing downstream fails here (int_order_items__validated quarantines the
-- lines of rejected orders).
with

valid_lines as (
    select
        order_items.order_item_id,
        coalesce(orders.is_internal_account, false) as is_internal_account
    from {{ ref('int_order_items__validated') }} as order_items
    left join {{ ref('int_orders__customer_resolved') }} as orders
        on order_items.order_id = orders.order_id
    where order_items.is_valid
),

enriched as (
    select order_item_id from {{ ref('int_order_items__enriched') }}
)

select valid_lines.order_item_id
from valid_lines
left join enriched
    on valid_lines.order_item_id = enriched.order_item_id
where enriched.order_item_id is null and not valid_lines.is_internal_account
