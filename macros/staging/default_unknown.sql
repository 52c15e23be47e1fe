{#-
    A required code that the source left empty becomes the explicit unknown member
    (var 'unknown_code'), so the row is kept and can be grouped, never dropped.
-#}
{% macro default_unknown(column) -%}
    coalesce(nullif(lower(trim({{ column }})), ''), '{{ var("unknown_code") }}')
{%- endmacro %}
