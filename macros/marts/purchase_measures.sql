{#-
    The sales measures the time and channel facts aggregate from int_orders__purchases (one row
    per purchase, doc block purchase_rule), so the daily, monthly and per-channel facts always
    define them the same way. `customers_as` names the distinct-customer count for the fact's
    grain (active_customers over a period, customers within a channel and month).
-#}
{% macro purchase_measures(customers_as='active_customers') -%}
    sum(recognized_net_revenue) as net_revenue,
    sum(recognized_margin) as gross_margin,
    count(*) as purchases,
    count(distinct customer_key) as {{ customers_as }},
    count(case when is_first_purchase then 1 end) as new_customers
{%- endmacro %}

{#- The measures' names, in the same order (for zero_filled). -#}
{% macro purchase_measure_names(customers_as='active_customers') -%}
    {{ return(['net_revenue', 'gross_margin', 'purchases', customers_as, 'new_customers']) }}
{%- endmacro %}

{#- `coalesce(<alias>.<measure>, 0) as <measure>` for each measure: a period without purchases counts 0. -#}
{% macro zero_filled(alias, measures) -%}
    {%- for measure in measures %}
    coalesce({{ alias }}.{{ measure }}, 0) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
