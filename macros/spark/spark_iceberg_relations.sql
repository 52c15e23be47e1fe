{#-
    Which tables are Iceberg, on Spark. The Iceberg session catalog over the Hive metastore
    (profiles.yml, target spark) answers `show table extended` as Hive does and reports an
    Iceberg table as "Provider: hive"; dbt-spark looks for "Provider: iceberg", so it would
    drop and recreate tables instead of replacing them and refuse the snapshot's second run
    ("in another format than 'delta' or 'iceberg' or 'hudi'"). The same one query per schema,
    with Iceberg tables (table_type=ICEBERG in their properties, not views) marked as such.
-#}
{% macro spark__list_relations_without_caching(relation) %}
    {%- call statement('list_relations_without_caching', fetch_result=True) -%}
        show table extended in {{ relation.schema }} like '*'
    {%- endcall -%}
    {%- set rows = [] -%}
    {%- for row in load_result('list_relations_without_caching').table -%}
        {%- set information = row[3] -%}
        {%- if 'Type: VIEW' not in information and 'Provider: iceberg' not in information
                and ('table_type=ICEBERG,' in information or 'table_type=ICEBERG]' in information) -%}
            {%- set information = information ~ '\nProvider: iceberg\n' -%}
        {%- endif -%}
        {%- do rows.append([row[0], row[1], row[2], information]) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}
