{#-
    The time boundary: fails with one row per date or timestamp column of the model, and
    per offending value, that lies after as_of_date ("today": nothing known later may show).
    It reads the built table's columns, so a new date column is checked without listing it.
-#}
{% test not_after_as_of_date(model) %}
    {%- set date_columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- set type_name = column.dtype | lower -%}
            {%- if type_name == 'date' or type_name.startswith('timestamp') -%}
                {%- do date_columns.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}

    with

    as_of as (
        select as_of_date as boundary_date from {{ ref('int_calendar__as_of_date') }}
    )

    {% for column_name in date_columns %}
        select
            '{{ column_name }}' as column_name,
            cast(checked.{{ adapter.quote(column_name) }} as {{ dbt.type_string() }}) as value_after_as_of_date,
            count(*) as offending_rows
        from {{ model }} as checked
        cross join as_of
        where cast(checked.{{ adapter.quote(column_name) }} as date) > as_of.boundary_date
        group by checked.{{ adapter.quote(column_name) }}
        union all
    {% endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as value_after_as_of_date,
        0 as offending_rows
    from as_of
    where false
{% endtest %}
