{#- Year of the customer relationship a date falls in: 0 for the 365 days from the first purchase. -#}
{% macro customer_year(first_purchase_on, on_date) -%}
    cast(floor({{ dbt.datediff(first_purchase_on, on_date, 'day') }} / 365.0) as {{ dbt.type_int() }})
{%- endmacro %}
