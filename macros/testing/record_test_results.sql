{#-
    on-run-end: the latest outcome of every data test, one row per test, in <schema>.test_results
    (the failures schema). A passing test stores no rows of its own
    (macros/testing/test_keeping_failing_rows.sql), so this table is where "it ran and passed" is
    kept: the report's reconciliation panel reads it, and a test missing from it has not run on
    this warehouse. A run replaces the rows of the tests it ran and keeps the others, so a
    `dbt test --select` of a few tests leaves the rest as they were.
-#}
{% macro record_test_results(results, schema) -%}
    {%- if not execute %}{{ return('') }}{% endif %}
    {%- set test_ids = [] %}
    {%- set rows = [] %}
    {%- for result in results if result.node.resource_type == 'test' %}
        {%- do test_ids.append(dbt.string_literal(result.node.unique_id)) %}
        {%- do rows.append('(' ~ [
            dbt.string_literal(result.node.name),
            dbt.string_literal(result.node.unique_id),
            dbt.string_literal(result.status),
            result.failures if result.failures is not none else 'null',
            dbt.string_literal(invocation_id),
            'cast(' ~ dbt.string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ ' as ' ~ dbt.type_timestamp() ~ ')',
        ] | join(', ') ~ ')') %}
    {%- endfor %}
    {%- if rows | length == 0 %}{{ return('') }}{% endif %}
    {%- set relation = api.Relation.create(schema=schema, identifier='test_results', type='table') %}
    {#- The tests' own file_format config, as their failures tables have it (Iceberg on Spark,
        where a Hive table cannot delete rows). -#}
    {%- set file_format = results | selectattr('node.resource_type', 'equalto', 'test')
                          | map(attribute='node.config') | map(attribute='file_format') | select | first %}
    {%- set statements = [
        'create schema if not exists ' ~ relation.without_identifier(),
        'create table if not exists ' ~ relation ~ ' (test_name ' ~ dbt.type_string()
            ~ ', unique_id ' ~ dbt.type_string() ~ ', status ' ~ dbt.type_string()
            ~ ', failures ' ~ dbt.type_bigint() ~ ', invocation_id ' ~ dbt.type_string()
            ~ ', run_started_at ' ~ dbt.type_timestamp() ~ ')'
            ~ (' using ' ~ file_format if file_format else ''),
        'delete from ' ~ relation ~ ' where unique_id in (' ~ test_ids | join(', ') ~ ')',
        'insert into ' ~ relation ~ ' values ' ~ rows | join(', '),
    ] %}
    {{ return(adapter.dispatch('record_test_results', 'crm_warehouse')(statements)) }}
{%- endmacro %}

{#- The hook's SQL, run by dbt outside a transaction. -#}
{% macro default__record_test_results(statements) -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#- Spark runs one statement per call. -#}
{% macro spark__record_test_results(statements) -%}
    {%- for statement in statements %}
        {%- do run_query(statement) %}
    {%- endfor %}
    {{ return('') }}
{%- endmacro %}
