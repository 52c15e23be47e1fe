{#-
    Fails (or warns, with severity: warn) with every row of the model: for models that list
    problems, such as identity conflicts, which should be empty.
-#}
{% test has_no_rows(model) %}
    select * from {{ model }}
{% endtest %}
