{#-
    One row per day from start_date to end_date inclusive, as column `date_day`. Both bounds
    are SQL date expressions (scalar subqueries allowed), so the spine follows the data.
    Days are numbered by cross-joining digit tables: portable SQL, up to 10^digits days
    (the default, 5 digits, covers 270 years).
-#}
{% macro date_spine(start_date, end_date, digits=5) -%}
    with
    digits as (
        {% for n in range(10) %}
            select {{ n }} as digit {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ),

    day_numbers as (
        select
            {% for position in range(digits) -%}
                d{{ position }}.digit * {{ 10 ** position }}{{ " +" if not loop.last }}
            {% endfor %} as day_number
        from digits as d0
        {% for position in range(1, digits) -%}
            cross join digits as d{{ position }}
        {% endfor %}
    ),

    spine as (
        select cast({{ dbt.dateadd('day', 'day_number', start_date) }} as date) as date_day
        from day_numbers
        where day_number <= {{ dbt.datediff(start_date, end_date, 'day') }}
    )

    select date_day from spine
{%- endmacro %}
