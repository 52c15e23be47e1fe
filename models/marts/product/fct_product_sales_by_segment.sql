with

lines as (
    select * from {{ ref('fct_order_lines') }}
    where is_revenue
),

customers as (
    select
        customer_key,
        coalesce(rfm_segment, 'unscored') as rfm_segment,
        coalesce(value_tier, 'unscored') as value_tier
    from {{ ref('dim_customers') }}
),

final as (
    select
        {{ composite_key(['lines.product_id', 'customers.rfm_segment', 'customers.value_tier']) }}
            as product_segment_id,
        lines.product_id,
        customers.rfm_segment,
        customers.value_tier,
        cast(sum(lines.quantity) as {{ dbt.type_bigint() }}) as units_sold,
        cast(sum(lines.recognized_net_revenue) as {{ type_money() }}) as net_revenue,
        cast(sum(lines.recognized_margin) as {{ type_money() }}) as gross_margin,
        count(distinct lines.customer_key) as distinct_buyers
    from lines
    inner join customers
        on lines.customer_key = customers.customer_key
    group by
        lines.product_id,
        customers.rfm_segment,
        customers.value_tier
)

select * from final
