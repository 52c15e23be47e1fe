{#-
    A failing test's offending rows, in the build's output: dbt stores them (store_failures, in
    schema test_failures) and prints the query that shows them; this on-run-end hook prints the
    first rows of each failing or warning test too, so a CI log says what broke without a
    database at hand. Tests on personal data (restricted) print only their row count.
-#}
{% macro show_failed_test_rows(results, max_rows=5) -%}
    {%- if not execute %}{{ return('') }}{% endif %}
    {%- for result in results
            if result.node.resource_type == 'test' and result.status in ('fail', 'warn')
            and result.node.relation_name %}
        {%- set rows = run_query('select * from ' ~ result.node.relation_name ~ ' limit ' ~ max_rows) %}
        {%- do log(result.status | upper ~ ' ' ~ result.node.name ~ ': ' ~ result.failures
                   ~ ' rows; the first ' ~ (rows.rows | length) ~ ' (all: select * from '
                   ~ result.node.relation_name ~ ')', info=true) %}
        {%- if 'restricted' in result.node.fqn %}
            {%- do log('    (personal data: not printed)', info=true) %}
        {%- else %}
            {%- do log('    ' ~ (rows.column_names | join(' | ')), info=true) %}
            {%- for row in rows.rows %}
                {%- do log('    ' ~ (row.values() | map('string') | join(' | ')), info=true) %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
    {{ return('') }}
{%- endmacro %}
