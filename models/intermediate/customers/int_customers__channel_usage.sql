-- A table: two marts and its tests read it (as a view, each re-ran it).
{{ config(materialized='table') }}

with

purchases as (
    select
        customer_key,
        channel_code,
        order_id,
        ordered_on,
        recognized_net_revenue
    from {{ ref('int_orders__purchases') }}
),

by_channel as (
    select
        customer_key,
        channel_code,
        count(*) as purchases,
        cast(sum(recognized_net_revenue) as {{ type_money() }}) as net_revenue,
        max(ordered_on) as last_purchase_on
    from purchases
    group by
        customer_key,
        channel_code
),

final as (
    select
        customer_key,
        channel_code,
        purchases,
        net_revenue,
        last_purchase_on,
        row_number() over (
            partition by customer_key
            order by purchases desc, net_revenue desc, last_purchase_on desc, channel_code asc
        ) as channel_rank
    from by_channel
)

select * from final
