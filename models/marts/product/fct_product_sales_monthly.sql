with

lines as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'ordered_on') }} as date) as sales_month
    from {{ ref('fct_order_lines') }}
),

final as (
    select
        {{ composite_key(['product_id', 'sales_month']) }} as product_month_id,
        product_id,
        sales_month,
        {{ product_sales_measures() }}
    from lines
    group by
        product_id,
        sales_month
)

select * from final
