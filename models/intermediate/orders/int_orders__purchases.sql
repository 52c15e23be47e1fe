-- A table: several models read it (as a view, PostgreSQL re-ran its joins row by row).
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('int_orders__as_of') }}
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
    where is_purchase
)

select * from final
