{#-
    memoized_table: a table that is rebuilt only when something it is computed from changed. For
    the Python models that fit and score (seconds to minutes, deterministic: fixed random states,
    key-ordered samples), where a run with unchanged data would otherwise refit everything. It
    builds the table itself, as dbt-duckdb's table materialization does (dbt runs a Python model's
    code only when a materialization calls it directly, not through another materialization).

    The fingerprint of a build is the MD5 of the model's compiled code (its code, its refs and the
    values of the vars it reads) and of the content of every relation it reads (row count and
    the sum of a hash of every row). It is kept as the table's comment. The table is kept as it
    is when it exists, the fingerprint is the same and the run is not a full refresh; the same
    code on the same rows gives the same table, so keeping it equals rebuilding it.

    DuckDB only, like the Python models it serves (hash() of a row and the table comment).
-#}
{% materialization memoized_table, adapter='duckdb', supported_languages=['python'] %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set fingerprint = memoized_table_fingerprint(model) -%}
    {%- set marker = 'input fingerprint: ' -%}

    {%- if existing_relation is not none and existing_relation.is_table and not should_full_refresh() -%}
        {%- set comment = run_query(
            "select comment from duckdb_tables() where database_name = '" ~ target_relation.database
            ~ "' and schema_name = '" ~ target_relation.schema ~ "' and table_name = '" ~ target_relation.identifier ~ "'"
        ).columns[0].values() -%}
        {%- if comment | length == 1 and comment[0] == marker ~ fingerprint -%}
            {{ log(model.name ~ ": kept, nothing it reads has changed since it was built (" ~ marker ~ fingerprint ~ ")", info=True) }}
            {%- call statement('main') -%}
                select 1 as kept
            {%- endcall -%}
            {{ return({'relations': [target_relation]}) }}
        {%- endif -%}
    {%- endif -%}

    {#- Built under a temporary name and swapped in, so that readers never see a half-built table. -#}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set backup_relation = make_backup_relation(target_relation, existing_relation.type if existing_relation is not none else 'table') -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- call statement('main', language=model.language) -%}
        {{ create_table_as(False, intermediate_relation, compiled_code, model.language) }}
    {%- endcall -%}
    {%- if existing_relation is not none -%}
        {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {%- endif -%}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}
    {%- call statement('input_fingerprint') -%}
        comment on table {{ target_relation }} is '{{ marker ~ fingerprint }}'
    {%- endcall -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) -%}
    {{ adapter.commit() }}
    {{ drop_relation_if_exists(backup_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro memoized_table_fingerprint(node) -%}
    {%- set parts = [local_md5(node.compiled_code)] -%}
    {%- for parent_id in node.depends_on.nodes | sort -%}
        {%- set parent = graph.nodes.get(parent_id) or graph.sources.get(parent_id) -%}
        {%- set relation = adapter.get_relation(parent.database, parent.schema, parent.alias or parent.identifier or parent.name) -%}
        {%- if relation is none -%}
            {{ exceptions.raise_compiler_error(node.name ~ " reads " ~ parent_id ~ ", which has not been built") }}
        {%- endif -%}
        {%- set content = run_query("select count(*) || ':' || coalesce(cast(sum(hash(t)) as varchar), '') from " ~ relation ~ " as t") -%}
        {%- do parts.append(parent_id ~ '=' ~ content.columns[0].values()[0]) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join(';'))) }}
{%- endmacro %}
