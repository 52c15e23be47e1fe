{#-
    "Today" for every recency and age computation, as a SQL date expression.
    Comes from the one-row model int_calendar__as_of_date: the var 'as_of_date' when set,
    else the last order date in the data (never the wall clock).
-#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_calendar__as_of_date') }})
{%- endmacro %}
