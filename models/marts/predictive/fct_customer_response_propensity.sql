with

scores as (
    select
        model_name,
        algorithm,
        customer_key,
        evaluation_date,
        predicted_probability,
        decile
    from {{ ref('int_predictive__ranked_scores') }}
    where target = 'response' and sample_set = 'score'
),

kept_model as (
    select {{ kept_model_name('response', 'scores') }} as model_name
),

features as (
    select
        customer_key,
        evaluation_date,
        lifecycle_stage,
        touches_to_date,
        responses_to_date
    from {{ ref('int_customers__features_by_date') }}
),

final as (
    select
        scores.customer_key,
        {{ as_of_date() }} as as_of_date,
        scores.model_name,
        {{ round_to('scores.predicted_probability', 6) }} as response_probability,
        cast(scores.decile as {{ dbt.type_int() }}) as response_decile,
        features.lifecycle_stage,
        features.touches_to_date,
        features.responses_to_date
    from scores
    inner join kept_model
        on scores.model_name = kept_model.model_name
    inner join features
        on
            scores.customer_key = features.customer_key
            and scores.evaluation_date = features.evaluation_date
)

select * from final
