with

purchases as (
    select
        channel_code,
        cast({{ dbt.date_trunc('month', 'ordered_on') }} as date) as month_start,
        customer_key,
        order_id,
        recognized_net_revenue,
        recognized_margin,
        is_first_purchase
    from {{ ref('int_orders__purchases') }}
),

by_channel as (
    select
        channel_code,
        month_start,
        {{ purchase_measures(customers_as='customers') }}
    from purchases
    group by
        channel_code,
        month_start
),

final as (
    select
        {{ composite_key(['channel_code', 'month_start']) }} as channel_month_id,
        channel_code,
        month_start,
        cast(net_revenue as {{ type_money() }}) as net_revenue,
        cast(gross_margin as {{ type_money() }}) as gross_margin,
        purchases,
        customers,
        new_customers,
        {{ divide_money('net_revenue', 'purchases') }} as average_order_value,
        {{ safe_divide('net_revenue', 'sum(net_revenue) over (partition by month_start)') }} as month_revenue_share
    from by_channel
)

select * from final
