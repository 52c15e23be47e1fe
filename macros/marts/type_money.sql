{#-
    The SQL type of money in the marts: var 'money_type' (numeric(18,2): cents), so precision
    and scale live in dbt_project.yml only. Casting an amount to it rounds to the cent, halves
    away from zero, the same on DuckDB and PostgreSQL. YAML contracts cannot call a macro:
    they use "{{ var('money_type') }}".
-#}
{% macro type_money() -%}{{ return(var('money_type')) }}{%- endmacro %}
