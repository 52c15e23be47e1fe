{#-
    The sales measures every product fact aggregates from fct_order_lines, so the daily,
    monthly and category facts always define them the same way. Money sums the lines' cents
    exactly and is cast to the money type (macro type_money), so a product fact adds up to
    its lines to the cent (doc block money).
-#}
{% macro product_sales_measures() -%}
    cast(sum(case when is_revenue then quantity else 0 end) as {{ dbt.type_bigint() }}) as units_sold,
    cast(sum(case when order_status = 'returned' then quantity else 0 end) as {{ dbt.type_bigint() }}) as units_returned,
    cast(sum(case when is_revenue then gross_revenue else 0 end) as {{ type_money() }}) as gross_revenue,
    cast(sum(case when is_revenue then discount_amount else 0 end) as {{ type_money() }}) as discount_amount,
    cast(sum(recognized_net_revenue) as {{ type_money() }}) as net_revenue,
    cast(sum(case when is_revenue then cost else 0 end) as {{ type_money() }}) as cost,
    cast(sum(recognized_margin) as {{ type_money() }}) as gross_margin,
    {{ safe_divide(
        "sum(case when order_status = 'returned' then quantity else 0 end)",
        "sum(case when " ~ is_purchase_status('order_status') ~ " or order_status = 'returned' then quantity else 0 end)",
    ) }} as return_rate,
    count(distinct case when is_revenue then customer_key end) as distinct_buyers,
    count(distinct order_id) as orders
{%- endmacro %}
