with

test_predictions as (
    select
        model_name,
        target,
        algorithm,
        origin_date,
        decile,
        predicted_probability,
        case when label then 1 else 0 end as positive
    from {{ ref('int_predictive__ranked_scores') }}
    where sample_set = 'test'
),

deciles as (
    select
        model_name,
        target,
        algorithm,
        origin_date,
        decile,
        count(*) as test_rows,
        sum(positive) as positives,
        -- As a decimal: a mean of doubles depends on row order, and rebuilds must agree.
        cast(avg(cast(predicted_probability as decimal(38, 15))) as {{ type_double() }}) as mean_predicted_probability,
        min(predicted_probability) as min_predicted_probability,
        max(predicted_probability) as max_predicted_probability
    from test_predictions
    group by
        model_name,
        target,
        algorithm,
        origin_date,
        decile
),

cumulated as (
    select
        deciles.*,
        sum(test_rows) over cumulative as cumulative_rows,
        sum(positives) over cumulative as cumulative_positives,
        sum(test_rows) over model_origin as total_rows,
        sum(positives) over model_origin as total_positives
    from deciles
    window
        cumulative as (
            partition by model_name, origin_date
            order by decile
            rows between unbounded preceding and current row
        ),
        model_origin as (partition by model_name, origin_date)
),

-- Lift: a decile's observed rate over the base rate of the whole test (2 = twice as many
-- positives as a random tenth). Gain: the share of all positives found in the deciles so far.
final as (
    select
        model_name,
        target,
        algorithm,
        origin_date,
        cast(decile as {{ dbt.type_int() }}) as decile,
        cast(test_rows as {{ dbt.type_bigint() }}) as test_rows,
        cast(positives as {{ dbt.type_bigint() }}) as positives,
        {{ round_to(safe_divide('positives', 'test_rows'), 6) }} as observed_rate,
        {{ round_to('mean_predicted_probability', 6) }} as mean_predicted_probability,
        {{ round_to('min_predicted_probability', 6) }} as min_predicted_probability,
        {{ round_to('max_predicted_probability', 6) }} as max_predicted_probability,
        -- Calibration: above 0, the model expected more positives than came.
        {{ round_to('mean_predicted_probability - ' ~ safe_divide('positives', 'test_rows'), 6) }}
            as calibration_gap,
        {{ round_to(safe_divide('total_positives', 'total_rows'), 6) }} as base_rate,
        {{ round_to(safe_divide(
            safe_divide('positives', 'test_rows'),
            safe_divide('total_positives', 'total_rows'),
        ), 6) }} as lift,
        cast(cumulative_rows as {{ dbt.type_bigint() }}) as cumulative_rows,
        cast(cumulative_positives as {{ dbt.type_bigint() }}) as cumulative_positives,
        {{ round_to(safe_divide('cumulative_rows', 'total_rows'), 6) }} as cumulative_row_share,
        {{ round_to(safe_divide('cumulative_positives', 'total_positives'), 6) }} as cumulative_gain,
        {{ round_to(safe_divide(
            safe_divide('cumulative_positives', 'cumulative_rows'),
            safe_divide('total_positives', 'total_rows'),
        ), 6) }} as cumulative_lift,
        {{ as_of_date() }} as as_of_date
    from cumulated
)

select * from final
