{#-
    expression rounded to `digits` decimals (at most 6), as a double. The value goes through a
    decimal first, on every adapter: PostgreSQL has no round(double precision, integer), and
    rounding the decimal value rounds halves the same everywhere (12.345 -> 12.35), where
    rounding a binary double would not (12.345 is stored as 12.34499...). That decimal has 12
    decimals, twice the most this rounds to: casting a double straight to the rounded scale
    rounds its binary value on DuckDB but its shortest decimal form on PostgreSQL and Spark, so a
    value such as 470.1290035 came out ...003 on one and ...004 on the others; at 12 decimals every
    engine holds 470.129003500000 and rounds it up alike.
-#}
{% macro round_to(expression, digits) -%}
    cast(round(cast({{ expression }} as decimal(38, 12)), {{ digits }}) as {{ type_double() }})
{%- endmacro %}
