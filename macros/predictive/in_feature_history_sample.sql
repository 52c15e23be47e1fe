{#-
    True for the customers int_customers__features_by_date keeps at the past feature dates (what
    the propensity models learn from; at as_of_date it keeps everyone, as everyone is scored):
    every customer when there are at most var propensity_history_customers of them, else every
    stride-th by customer_number, stride = ceil(customers / propensity_history_customers). The
    numbers follow the customer keys, which are hashes, so that is a random sample, and the same
    on every run over the same customers. One definition for the model and the test of its rows.
    customers: the relation of the customers known on as_of_date, ref('int_customers__as_of'),
    passed in so that dbt sees the dependency also where a test's argument calls this macro.
-#}
{% macro in_feature_history_sample(customer_number, customers) -%}
    {{ customer_number }} % (
        select greatest(1, cast(ceil(count(*) * 1.0 / {{ var('propensity_history_customers') }}) as {{ dbt.type_bigint() }}))
        from {{ customers }}
    ) = 0
{%- endmacro %}
