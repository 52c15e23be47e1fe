-- One row per product and day with at least one order line (lightly summarised layer):
-- units sold and returned, gross and net revenue, cost and margin of completed orders,
-- return rate (returned units / units of completed and returned orders) and distinct buyers.
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
