{#-
    A primary key: never null and never repeated. One query for what `unique` and `not_null`
    check in two: each test is a node dbt prepares and runs, and the warehouse has a key on
    almost every model. Fails with one row per offending key value: a null key (with the number
    of rows that have it) or a key on more than one row (with that number).
-#}
{% test primary_key(model, column_name) %}
    with key_counts as (
        select
            {{ column_name }} as key_value,
            count(*) as rows_with_key
        from {{ model }}
        group by {{ column_name }}
    )

    select
        key_value,
        rows_with_key,
        case when key_value is null then 'null key' else 'repeated key' end as failure
    from key_counts
    where
        key_value is null
        or rows_with_key > 1
{% endtest %}
