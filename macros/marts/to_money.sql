{#-
    An amount computed in floating point (a currency conversion) as money: rounded first to
    micro-units (dbt.type_numeric(), 6 decimals, an exact decimal) and then to the cent, so a
    value on a half cent rounds away from zero on every database (a double cast straight to
    cents rounds such halves apart on DuckDB and PostgreSQL).
-#}
{% macro to_money(amount) -%}
    cast(cast({{ amount }} as {{ dbt.type_numeric() }}) as {{ type_money() }})
{%- endmacro %}
