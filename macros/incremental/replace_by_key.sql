{#-
    How an incremental model replaces what changed: every row of each key value it rebuilds
    (an evaluation date, a month, an order line) is deleted and inserted again. Where the
    database has delete+insert (DuckDB, PostgreSQL) that is the strategy, by unique_key. Spark
    has none: a key with many rows per value (a date) partitions the table and its partitions
    are overwritten (insert_overwrite); a key with one row per value (an order line) is merged.
        {{ config(materialized='incremental', **replace_by_key('evaluation_date')) }}
-#}
{% macro replace_by_key(key, one_row_per_key=false) -%}
    {%- if target.type == 'spark' and one_row_per_key -%}
        {{ return({'incremental_strategy': 'merge', 'unique_key': key}) }}
    {%- elif target.type == 'spark' -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [key]}) }}
    {%- else -%}
        {{ return({'incremental_strategy': 'delete+insert', 'unique_key': key}) }}
    {%- endif -%}
{%- endmacro %}
