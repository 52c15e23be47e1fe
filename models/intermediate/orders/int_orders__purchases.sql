-- One row per purchase up to as_of_date: the completed orders of real customers, with
-- their recognized revenue and margin and their place in the customer's purchase history.
-- The one definition of "a purchase, as of today" that every customer, time and channel
-- model counts from.

-- A table: several models read it (as a view, PostgreSQL re-ran its joins row by row).
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('int_orders__enriched') }}
),

final as (
    select
        order_id,
        customer_key,
        ordered_at,
        ordered_on,
        channel_code,
        store_id,
        sales_rep_id,
        campaign_id,
        recognized_net_revenue,
        recognized_margin,
        purchase_number,
        is_first_purchase,
        days_since_previous_purchase
    from orders
    where
        is_purchase
        and ordered_on <= {{ as_of_date() }}
)

select * from final
