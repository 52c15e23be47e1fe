with

lines as (
    select * from {{ ref('fct_order_lines') }}
    where is_revenue
),

by_channel as (
    select
        product_id,
        channel_code,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as units_sold,
        sum(recognized_net_revenue) as net_revenue,
        sum(recognized_margin) as gross_margin,
        count(distinct customer_key) as distinct_buyers
    from lines
    group by
        product_id,
        channel_code
),

final as (
    select
        {{ composite_key(['product_id', 'channel_code']) }} as product_channel_id,
        product_id,
        channel_code,
        units_sold,
        cast(net_revenue as {{ type_money() }}) as net_revenue,
        cast(gross_margin as {{ type_money() }}) as gross_margin,
        distinct_buyers,
        {{ safe_divide('net_revenue', 'sum(net_revenue) over (partition by product_id)') }} as product_revenue_share
    from by_channel
)

select * from final
