with

customers as (
    select
        channels.customer_key,
        case when channels.is_multichannel then 'multichannel' else 'single_channel' end as channel_behaviour,
        channels.channels_used,
        channels.purchases,
        channels.net_revenue,
        dim_customers.margin_to_date
    from {{ ref('fct_customer_channels') }} as channels
    inner join {{ ref('dim_customers') }} as dim_customers
        on channels.customer_key = dim_customers.customer_key
),

final as (
    select
        channel_behaviour,
        count(*) as customers,
        {{ safe_divide('count(*)', 'sum(count(*)) over ()') }} as customer_share,
        avg(cast(channels_used as {{ type_double() }})) as mean_channels_used,
        avg(cast(purchases as {{ type_double() }})) as mean_purchases,
        {{ divide_money('sum(net_revenue)', 'count(*)') }} as mean_net_revenue,
        {{ divide_money('sum(margin_to_date)', 'count(*)') }} as mean_margin,
        cast(sum(net_revenue) as {{ type_money() }}) as net_revenue,
        {{ safe_divide('sum(net_revenue)', 'sum(sum(net_revenue)) over ()') }} as revenue_share
    from customers
    group by channel_behaviour
)

select * from final
