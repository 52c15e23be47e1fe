{#-
    The purchase rule, defined once: an order of status var purchase_order_status is a
    purchase, and its lines are revenue (is_purchase on orders, is_revenue on lines; doc block
    purchase_rule). Returned and cancelled orders are not.
-#}
{% macro is_purchase_status(status_column) -%}
    {{ status_column }} = '{{ var("purchase_order_status") }}'
{%- endmacro %}
