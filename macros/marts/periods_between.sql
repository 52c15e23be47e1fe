{#-
    Whole date parts (day, hour, month, ...) from start to end, as a bigint on every adapter:
    dbt.datediff gives a bigint on DuckDB but an integer or numeric on PostgreSQL, and the
    marts' contracts need one type.
-#}
{% macro periods_between(start, end, datepart) -%}
    cast({{ dbt.datediff(start, end, datepart) }} as {{ dbt.type_bigint() }})
{%- endmacro %}
