{#-
    The one rule for which model a target's scores come from, shared by the churn and response
    marts: the model fct_predictive_model_performance keeps at as_of_date (chosen at the
    production origin); without an out-of-time test there (a history too short to hold one
    out), the logistic regression, the default its choice_reason no_out_of_time_auc names.
    `scores` names a relation with the target's scores (model_name, algorithm).
-#}
{% macro kept_model_name(target, scores) -%}
    coalesce(
        (
            select performance.model_name
            from {{ ref('fct_predictive_model_performance') }} as performance
            where performance.target = '{{ target }}' and performance.is_production_origin and performance.is_chosen
        ),
        (
            select min({{ scores }}.model_name) from {{ scores }}
            where {{ scores }}.algorithm = 'logistic_regression'
        )
    )
{%- endmacro %}
