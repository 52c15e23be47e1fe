{#- Present value of `amount` received `years` years from now at yearly rate `rate`. -#}
{% macro discounted(amount, years, rate) -%}
    ({{ amount }} / power(1 + {{ rate }}, {{ years }}))
{%- endmacro %}
