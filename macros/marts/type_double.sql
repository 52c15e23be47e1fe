{#-
    A double-precision float. dbt.type_float() renders 'float', which DuckDB reads as a
    4-byte real (0.2 becomes 0.2000000029): too coarse for rates and shares.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'crm_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
