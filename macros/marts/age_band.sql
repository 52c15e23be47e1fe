{#-
    Age band of a birth date on a reference date, from var 'age_band_edges' (lower edges):
    with [25, 35, 45] the bands are '<25', '25-34', '35-44', '45+'. Unknown birth date: 'unknown'.
-#}
{% macro age_band(birth_date, on_date) -%}
    {%- set edges = var('age_band_edges') -%}
    {%- set age = "floor(" ~ dbt.datediff(birth_date, on_date, 'day') ~ " / 365.25)" -%}
    case
        when {{ birth_date }} is null then '{{ var("unknown_code") }}'
        when {{ age }} < {{ edges[0] }} then '<{{ edges[0] }}'
        {%- for edge in edges[1:] %}
        when {{ age }} < {{ edge }} then '{{ edges[loop.index0] }}-{{ edge - 1 }}'
        {%- endfor %}
        else '{{ edges[-1] }}+'
    end
{%- endmacro %}
