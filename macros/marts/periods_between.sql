{#-
    Whole date parts (day, hour, month, ...) from start to end: the part boundaries crossed, as
    a bigint on every adapter: dbt.datediff gives a bigint on DuckDB but an integer or numeric on
    PostgreSQL, and the marts' contracts need one type.
-#}
{% macro periods_between(start, end, datepart) -%}
    {{ return(adapter.dispatch('periods_between', 'crm_warehouse')(start, end, datepart)) }}
{%- endmacro %}

{% macro default__periods_between(start, end, datepart) -%}
    cast({{ dbt.datediff(start, end, datepart) }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- Spark: dbt-spark's datediff rounds part-hours up (10:10 to 10:50 is 1 hour, not 0), so
    hours, minutes and seconds are counted the way DuckDB and PostgreSQL count them, as the
    boundaries between the truncated times. -#}
{% macro spark__periods_between(start, end, datepart) -%}
    {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}.get(datepart) -%}
    {%- if seconds -%}
        cast((to_unix_timestamp(date_trunc('{{ datepart }}', {{ end }}))
            - to_unix_timestamp(date_trunc('{{ datepart }}', {{ start }}))) / {{ seconds }} as bigint)
    {%- else -%}
        cast({{ dbt.datediff(start, end, datepart) }} as bigint)
    {%- endif -%}
{%- endmacro %}
