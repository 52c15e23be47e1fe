with

lines as (
    select * from {{ ref('fct_order_lines') }}
),

final as (
    select
        {{ composite_key(['product_id', 'ordered_on']) }} as product_day_id,
        product_id,
        ordered_on as sales_date,
        {{ product_sales_measures() }}
    from lines
    group by
        product_id,
        ordered_on
)

select * from final
