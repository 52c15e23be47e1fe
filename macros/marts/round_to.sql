{#-
    expression rounded to `digits` decimals (at most 6), as a double. The value goes through a
    decimal first, on every adapter: PostgreSQL has no round(double precision, integer), and
    rounding the decimal value rounds halves the same everywhere (12.345 -> 12.35), where
    rounding a binary double would not (12.345 is stored as 12.34499...).
-#}
{% macro round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as {{ dbt.type_numeric() }}), {{ digits }}) as {{ type_double() }})
{%- endmacro %}
