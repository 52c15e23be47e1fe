{#-
    Select one row per distinct combination of `columns` from `relation`, with
    `loaded_copies`: how many identical rows the source load held. Exact duplicate loads
    disappear, and nothing else does: sum(loaded_copies) equals the source row count, which
    tests/assert_source_rows_reconcile.sql checks for every source table.
-#}
{% macro collapse_exact_duplicates(relation, columns) -%}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        count(*) as loaded_copies
    from {{ relation }}
    group by
        {%- for column in columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
{%- endmacro %}
