{#-
    The secret behind customer_key: md5(salt || 'crm:' || customer_id), or 'web:' ||
    web_account_id (int_customers__identity_map). Without the salt nobody can recompute a key
    from a source id and re-identify a customer in the marts. It comes from the environment
    variable DBT_ENV_SECRET_CRM_KEY_SALT (dbt scrubs DBT_ENV_SECRET_ values from its logs); unset,
    it is empty, which is for local builds only: keys are then md5('crm:' || customer_id).

    The salt is never written into SQL, where target/, the manifest and the docs site would
    show it: the connection carries it and the SQL reads it from there.
    - DuckDB: profiles.yml sets the session variable crm_key_salt on every connection.
    - PostgreSQL: the session setting crm.key_salt, from PGOPTIONS="-c crm.key_salt=..."
      (scripts/with_postgres.sh sets it from the same variable). Unset, the build fails rather than build
      unsalted keys by mistake.
    Changing the salt changes every key: rebuild with --full-refresh.
-#}
{% macro customer_key_salt() -%}
    {{ return(adapter.dispatch('customer_key_salt', 'crm_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__customer_key_salt() -%}
    coalesce(cast(getvariable('crm_key_salt') as {{ dbt.type_string() }}), error('DuckDB session variable crm_key_salt is not set: the project''s profiles.yml sets it (from DBT_ENV_SECRET_CRM_KEY_SALT)'))
{%- endmacro %}

{% macro default__customer_key_salt() -%}
    current_setting('crm.key_salt')
{%- endmacro %}

{#- Spark: the session's configuration spark.crm.key_salt (profiles.yml sets it from the same
    variable), substituted into the statement by Spark itself (spark.sql.variable.substitute),
    not by dbt. A salt holding a quote fails the statement rather than change it. -#}
{% macro spark__customer_key_salt() -%}
    '${spark.crm.key_salt}'
{%- endmacro %}
