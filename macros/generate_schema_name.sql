{#-
    Use the folder's custom schema as-is (raw, staging, intermediate, marts) instead of
    dbt's default "<target schema>_<custom schema>", so that names in the warehouse match
    the layers in the docs. Nodes without a custom schema land in the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
