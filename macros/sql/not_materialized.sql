{#-
    not_materialized: placed between a CTE's name and its body (`name as {{ not_materialized() }} (`)
    it asks the engine to inline the CTE into each query that reads it. DuckDB and PostgreSQL
    otherwise write out a CTE read more than once before reading it back, which for a CTE of
    millions of rows costs more than running its (cheap) select twice. Engines without the
    keyword (Spark) inline CTEs anyway.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro postgres__not_materialized() -%}
    not materialized
{%- endmacro %}
