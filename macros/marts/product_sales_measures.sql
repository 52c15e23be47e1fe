{#-
    The sales measures every product fact aggregates from fct_order_lines, so the daily,
    monthly and category facts always define them the same way.
-#}
{% macro product_sales_measures() -%}
    cast(sum(case when is_revenue then quantity else 0 end) as {{ dbt.type_bigint() }}) as units_sold,
    cast(sum(case when order_status = 'returned' then quantity else 0 end) as {{ dbt.type_bigint() }}) as units_returned,
    sum(case when is_revenue then gross_revenue else 0 end) as gross_revenue,
    sum(case when is_revenue then discount_amount else 0 end) as discount_amount,
    sum(recognized_net_revenue) as net_revenue,
    sum(case when is_revenue then cost else 0 end) as cost,
    sum(recognized_margin) as gross_margin,
    {{ safe_divide(
        "sum(case when order_status = 'returned' then quantity else 0 end)",
        "sum(case when order_status in ('completed', 'returned') then quantity else 0 end)",
    ) }} as return_rate,
    count(distinct case when is_revenue then customer_key end) as distinct_buyers,
    count(distinct order_id) as orders
{%- endmacro %}
