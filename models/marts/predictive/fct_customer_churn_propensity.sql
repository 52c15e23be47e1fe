with

scores as (
    select
        model_name,
        algorithm,
        customer_key,
        predicted_probability,
        decile
    from {{ ref('int_predictive__ranked_scores') }}
    where target = 'churn' and sample_set = 'score'
),

kept_model as (
    select {{ kept_model_name('churn', 'scores') }} as model_name
),

customers as (
    select
        customer_key,
        lifecycle_stage,
        value_tier
    from {{ ref('dim_customers') }}
),

yearly_value as (
    select
        customer_key,
        mean_yearly_contribution
    from {{ ref('fct_customer_lifetime_value') }}
),

final as (
    select
        scores.customer_key,
        {{ as_of_date() }} as as_of_date,
        scores.model_name,
        {{ round_to('scores.predicted_probability', 6) }} as churn_probability,
        cast(scores.decile as {{ dbt.type_int() }}) as churn_decile,
        customers.lifecycle_stage,
        customers.value_tier,
        cast(coalesce(yearly_value.mean_yearly_contribution, 0) as {{ type_money() }}) as mean_yearly_contribution,
        -- What the customer's leaving is expected to cost in a year: probability x yearly value.
        cast(
            scores.predicted_probability * coalesce(yearly_value.mean_yearly_contribution, 0)
            as {{ type_money() }}
        ) as expected_contribution_at_risk
    from scores
    inner join kept_model
        on scores.model_name = kept_model.model_name
    left join customers
        on scores.customer_key = customers.customer_key
    left join yearly_value
        on scores.customer_key = yearly_value.customer_key
)

select * from final
