with

lines as (
    select
        fct_order_lines.*,
        dim_products.category_name,
        dim_products.department_name,
        cast({{ dbt.date_trunc('month', 'fct_order_lines.ordered_on') }} as date) as sales_month
    from {{ ref('fct_order_lines') }} as fct_order_lines
    inner join {{ ref('dim_products') }} as dim_products
        on fct_order_lines.product_id = dim_products.product_id
),

by_category as (
    select
        category_id,
        category_name,
        department_name,
        sales_month,
        {{ product_sales_measures() }}
    from lines
    group by
        category_id,
        category_name,
        department_name,
        sales_month
),

final as (
    select
        {{ composite_key(['category_id', 'sales_month']) }} as category_month_id,
        category_id,
        category_name,
        department_name,
        sales_month,
        units_sold,
        units_returned,
        gross_revenue,
        discount_amount,
        net_revenue,
        cost,
        gross_margin,
        return_rate,
        distinct_buyers,
        orders,
        {{ safe_divide('net_revenue', 'sum(net_revenue) over (partition by sales_month)') }} as month_revenue_share
    from by_category
)

select * from final
