{#-
    Type names the seeds and the marts' contracts declare in the SQL most databases share
    (varchar, text, double precision), as Spark spells them (string, double). Spark refuses
    varchar without a length and has no text or double precision. Everything else (bigint,
    integer, boolean, date, timestamp, decimal(p,s), numeric(p,s)) is the same name there.
-#}
{% macro spark_type(data_type) -%}
    {%- set normalised = data_type | lower | trim -%}
    {%- set spark_names = {'varchar': 'string', 'text': 'string', 'double precision': 'double'} -%}
    {{- spark_names.get(normalised, data_type) -}}
{%- endmacro %}

{#- The contract check (dbt builds an empty query casting null to each declared type and
    compares its columns with the model's) with the declared types in Spark's names. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set missing = [] -%}
    select
    {% for name in columns -%}
        {%- set column = columns[name] -%}
        {%- if column['data_type'] is not defined -%}
            {%- do missing.append(column['name']) -%}
        {%- endif -%}
        {%- set column_name = adapter.quote(column['name']) if column.get('quote') else column['name'] -%}
        {{ cast('null', spark_type(column['data_type'] or 'string')) }} as {{ column_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if missing | length > 0 -%}
        {{ exceptions.column_type_missing(column_names=missing) }}
    {%- endif -%}
{% endmacro %}

{#- Casts with a declared type (unit test fixtures cast their values to the columns' declared
    types) in Spark's names; otherwise dbt-spark's own safe_cast. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- set spark_name = spark_type(type) -%}
    {%- set field_clean = field.strip('"').strip("'") if (cast_from_string_unsupported_for(spark_name) and field is string) else field -%}
    cast({{ field_clean }} as {{ spark_name }})
{%- endmacro %}
