{#-
    True (as SQL) when this build may record history in snapshots: a plain build with no
    --vars (the scheduled job), or a deliberate backfill that sets only as_of_date and
    record_history: true. Any other --vars make a what-if build, which computes its marts but
    writes no version into the history, so trying a rule never rewrites the record.
-#}
{% macro is_history_build() -%}
    {%- set cli_vars = invocation_args_dict.get('vars') or {} -%}
    {%- set other_vars = cli_vars.keys() | reject('in', ['as_of_date', 'record_history']) | list -%}
    {%- if cli_vars.get('record_history') and other_vars -%}
        {{ exceptions.raise_compiler_error(
            "record_history: true records history as of as_of_date and takes no other vars; "
            ~ "got " ~ (other_vars | join(', ')) ~ ". Run what-if builds without record_history "
            ~ "(they write no history), or change the rule in dbt_project.yml."
        ) }}
    {%- endif -%}
    {{ 'true' if (not cli_vars or cli_vars.get('record_history')) else 'false' }}
{%- endmacro %}
