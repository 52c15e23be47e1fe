{#-
    A part of a date by its ISO-8601 name (isodow: Monday = 1 .. Sunday = 7; isoyear: the
    year the ISO week belongs to; week: the ISO week; doy: day of the year), as each database
    spells it: DuckDB and PostgreSQL take these names, Spark calls the first two
    dayofweek_iso and yearofweek.
-#}
{% macro iso_date_part(part, date_expression) -%}
    {{ return(adapter.dispatch('iso_date_part', 'crm_warehouse')(part, date_expression)) }}
{%- endmacro %}

{% macro default__iso_date_part(part, date_expression) -%}
    extract({{ part }} from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_date_part(part, date_expression) -%}
    {%- set spark_names = {'isodow': 'dayofweek_iso', 'isoyear': 'yearofweek'} -%}
    extract({{ spark_names.get(part, part) }} from {{ date_expression }})
{%- endmacro %}
