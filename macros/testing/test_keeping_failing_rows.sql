{#-
    The project's test materialization: a data test runs once, as a query, and only a test that
    finds rows (it fails or warns) writes them to its table in the failures schema
    (store_failures, one table named after the test). dbt's own test materialization with
    store_failures drops and re-creates that table for every test on every run, an empty one for
    each test that passes: 587 tables per build, about a third of the test phase at the default
    size (README, "Quality checks"). Here a passing test writes nothing and drops the table an earlier failure left, so the
    failures schema holds exactly the current failures. Whether a test ran and passed is in
    test_failures.test_results (macros/testing/record_test_results.sql), not in an empty table.

    The check is dbt's: get_test_sql with the test's fail_calc, warn_if and error_if, so
    severities, thresholds and limits work as documented. Tests that do not store failures
    run the check only.
-#}
{%- materialization test, default -%}
    {%- set sql_header = config.get('sql_header') if flags.REQUIRE_SQL_HEADER_IN_TEST_CONFIGS else none -%}
    {%- set limited_sql = get_limit_subquery_sql(sql, config.get('limit')) -%}

    {%- call statement('main', fetch_result=True) -%}
        {% if sql_header %}{{ sql_header }}{% endif %}
        {{ get_test_sql(limited_sql, config.get('fail_calc'), config.get('warn_if'), config.get('error_if'), limit=none) }}
    {%- endcall -%}

    {%- set stored = [] -%}
    {%- if should_store_failures() -%}
        {%- set outcome = load_result('main')['table'].rows[0] -%}
        {%- set failing = outcome['should_warn'] or outcome['should_error'] -%}
        {%- set stored_as = config.get('store_failures_as') or 'table' -%}
        {%- if stored_as not in ['table', 'view'] -%}
            {{ exceptions.raise_compiler_error(
                "store_failures_as must be table or view (or ephemeral: no stored rows), got '" ~ stored_as ~ "'"
            ) }}
        {%- endif -%}
        {%- set failures_relation = api.Relation.create(
            database=database, schema=schema, identifier=model['alias'], type=stored_as
        ) -%}
        {#- The relation cache knows the failures schema, so a test with nothing to drop asks nothing. -#}
        {%- set earlier = adapter.get_relation(database=database, schema=schema, identifier=model['alias']) -%}
        {%- if earlier is not none or failing -%}
            {#- One transaction where the database has them: readers see the earlier failures or
                the new ones, never neither. -#}
            {%- if earlier is not none -%}
                {#- Plain SQL every adapter here runs (Spark has no drop ... cascade), and inside
                    the transaction, which adapter.drop_relation would not begin. -#}
                {%- call statement('drop_earlier_failures', auto_begin=True) -%}
                    drop {{ earlier.type }} if exists {{ earlier }}
                {%- endcall -%}
                {%- do adapter.cache_dropped(earlier) -%}
            {%- endif -%}
            {%- if failing -%}
                {%- call statement('store_failures', auto_begin=True) -%}
                    {% if sql_header %}{{ sql_header }}{% endif %}
                    {{ get_create_sql(failures_relation, limited_sql) }}
                {%- endcall -%}
                {%- do stored.append(failures_relation) -%}
            {%- endif -%}
            {{ adapter.commit() }}
        {%- endif -%}
    {%- endif -%}

    {{ return({'relations': stored}) }}
{%- endmaterialization -%}
