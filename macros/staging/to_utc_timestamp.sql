{#-
    Parse a source timestamp string to a UTC timestamp without time zone.

    Sources write 'YYYY-MM-DD HH:MM:SS' in UTC, but a few rows carry an ISO-8601 offset
    ('2024-03-05T18:00:00+08:00'): the local wall time with its offset from UTC. Those are
    shifted back by the offset. Written with dbt's cross-database macros so that the same
    model runs on DuckDB, PostgreSQL and Spark.
-#}
{% macro to_utc_timestamp(column) -%}
    {%- set wall_time = "cast(replace(substr(" ~ column ~ ", 1, 19), 'T', ' ') as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set offset_minutes -%}
        case
            when length({{ column }}) >= 25
                then
                    (case when substr({{ column }}, 20, 1) = '-' then -1 else 1 end)
                    * (
                        cast(substr({{ column }}, 21, 2) as {{ dbt.type_int() }}) * 60
                        + cast(substr({{ column }}, 24, 2) as {{ dbt.type_int() }})
                    )
            else 0
        end
    {%- endset -%}
    {{ dbt.dateadd('minute', '-1 * (' ~ offset_minutes ~ ')', wall_time) }}
{%- endmacro %}


{#- True where the source string carried an explicit UTC offset. -#}
{% macro has_utc_offset(column) -%}
    (length({{ column }}) >= 25)
{%- endmacro %}
