-- A table: four marts and its tests read it (as a view, each re-ranked every prediction).
{{ config(materialized='table') }}

-- Deciles: ten bands, by definition.
{%- set deciles = 10 %}

with

scores as (
    select * from {{ ref('int_predictive__propensity_scores') }}
),

-- Equal probabilities are split by example_id, so the deciles partition the rows into ten bands
-- whose sizes differ by at most one, and the same on every build.
ranked as (
    select
        scores.*,
        row_number() over (
            partition by scores.model_name, scores.origin_date, scores.sample_set
            order by scores.predicted_probability desc, scores.example_id asc
        ) as probability_rank,
        count(*) over (partition by scores.model_name, scores.origin_date, scores.sample_set) as ranked_rows
    from scores
),

final as (
    select
        target,
        model_name,
        algorithm,
        origin_date,
        sample_set,
        example_id,
        customer_key,
        evaluation_date,
        event_date,
        predicted_probability,
        label,
        cut_date,
        training_rows,
        training_positives,
        training_first_event_on,
        training_last_event_on,
        probability_rank,
        {{ quantile_score('probability_rank', 'ranked_rows', deciles) }} as decile
    from ranked
)

select * from final
