{#-
    Runs each query and prints all their rows as one JSON document between two marker lines,
    for a program that asks a database through dbt's own connection (the Spark comparison,
    crm_warehouse.quality.compare_databases --engine spark: one session for every query).
    Numbers come out as numbers, dates and times as text, null as null.
        dbt run-operation query_results_as_json --args '{queries: [select 1]}'
-#}
{% macro query_results_as_json(queries) %}
    {%- set results = [] -%}
    {%- for query in queries -%}
        {%- set rows = [] -%}
        {%- for row in run_query(query).rows -%}
            {%- set values = [] -%}
            {%- for value in row.values() -%}
                {%- if value is none or value is boolean or value is string -%}
                    {%- do values.append(value) -%}
                {%- elif value is number -%}
                    {%- do values.append(value | float) -%}
                {%- else -%}
                    {%- do values.append(value | string) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do rows.append(values) -%}
        {%- endfor -%}
        {%- do results.append(rows) -%}
    {%- endfor -%}
    {%- do print('--- query results ---') -%}
    {%- do print(tojson(results)) -%}
    {%- do print('--- end of query results ---') -%}
{% endmacro %}
