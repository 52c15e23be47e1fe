{#-
    One select-list entry per column, from a template in which {c} stands for the column's name:
    each_column(['a', 'b'], 'sum({c}) as {c}') -> sum(a) as a, sum(b) as b. For models that carry
    the same list of measures through several steps (a union of dated events, their sums by date,
    the running sums), so the list is written once.
-#}
{% macro each_column(columns, template) -%}
    {%- for column in columns %}
    {{ template.replace('{c}', column) }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    The columns of one arm of a union of dated events: every measure in `columns`, the
    expression given for it in `values`, else 0 (the event does not change that measure).
-#}
{% macro event_columns(columns, values) -%}
    {%- set unknown = values.keys() | reject('in', columns) | list %}
    {%- if unknown %}
        {{ exceptions.raise_compiler_error("event_columns: " ~ unknown | join(', ') ~ " not among the columns " ~ columns | join(', ')) }}
    {%- endif %}
    {%- for column in columns %}
    {{ values.get(column, '0') }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
