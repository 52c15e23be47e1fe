{#-
    A readable key for a row identified by several columns: the columns cast to text and
    joined with `separator`, e.g. composite_key(['product_id', 'sales_month']) gives
    '1001-2024-02-01'. Null parts become ''. Used for the primary keys of aggregated facts.
-#}
{% macro composite_key(columns, separator='-') -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}{%- do parts.append("'" ~ separator ~ "'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
