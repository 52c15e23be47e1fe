{#-
    Roles. The build runs as an owner role; analysts read through one role (env CRM_ANALYST_ROLE,
    default crm_analyst), granted select on the marts by their `grants` config (dbt_project.yml),
    which dbt re-applies whenever it rebuilds a table. Nothing in raw, staging, intermediate,
    snapshots or restricted is granted.
-#}

{#- A select grant is no use without usage on the table's schema: on-run-end grants usage on the
    schema of every node with grants that this run built. -#}
{% macro grant_usage_on_granted_schemas(results) -%}
    {{ return(adapter.dispatch('grant_usage_on_granted_schemas', 'crm_warehouse')(results)) }}
{%- endmacro %}

{% macro default__grant_usage_on_granted_schemas(results) -%}
    {%- set statements = [] %}
    {%- for result in results if result.status == 'success' and result.node.config.get('grants') %}
        {%- for grantees in result.node.config.grants.values() %}
            {%- for grantee in ([grantees] if grantees is string else grantees) %}
                {%- set statement = 'grant usage on schema ' ~ adapter.quote(result.node.schema) ~ ' to ' ~ adapter.quote(grantee) %}
                {%- if statement not in statements %}{% do statements.append(statement) %}{% endif %}
            {%- endfor %}
        {%- endfor %}
    {%- endfor %}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#- DuckDB has no roles (dbt-duckdb would warn on every build that grants are not supported):
    there, personal data is kept apart by file permissions instead (profiles.yml, attach). -#}
{% macro duckdb__grant_usage_on_granted_schemas(results) -%}
    {{ return('') }}
{%- endmacro %}

{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{#- Open-source Spark has no roles or grants either (its tables' access is the storage's). -#}
{% macro spark__grant_usage_on_granted_schemas(results) -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
