with

test_predictions as (
    select
        model_name,
        target,
        algorithm,
        origin_date,
        cut_date,
        event_date,
        predicted_probability,
        case when label then 1 else 0 end as positive,
        training_rows,
        training_positives,
        training_first_event_on,
        training_last_event_on
    from {{ ref('int_predictive__ranked_scores') }}
    where sample_set = 'test'
),

fits as (
    select
        model_name,
        target,
        algorithm,
        origin_date,
        cut_date,
        max(training_rows) as training_rows,
        max(training_positives) as training_positives,
        min(training_first_event_on) as training_first_event_on,
        max(training_last_event_on) as training_last_event_on,
        min(event_date) as test_first_event_on,
        max(event_date) as test_last_event_on,
        count(*) as test_rows,
        sum(positive) as test_positives
    from test_predictions
    group by
        model_name,
        target,
        algorithm,
        origin_date,
        cut_date
),

-- AUC by the rank-sum (Mann-Whitney) formula: rank all test rows by probability (ties share the
-- mean of their ranks), then AUC = (sum of the positives' ranks - P(P + 1)/2) / (P x N), with P
-- positives and N negatives: the chance that a random positive is ranked above a random
-- negative (ties count half). Computed per distinct probability, so no row-level sort is needed.
probability_counts as (
    select
        model_name,
        origin_date,
        predicted_probability,
        count(*) as tied_rows,
        sum(positive) as tied_positives
    from test_predictions
    group by
        model_name,
        origin_date,
        predicted_probability
),

probability_ranks as (
    select
        model_name,
        origin_date,
        tied_positives,
        -- The mean rank of the tied rows: the rows ranked below them, plus (1 + tied_rows) / 2.
        coalesce(sum(tied_rows) over (
            partition by model_name, origin_date
            order by predicted_probability
            rows between unbounded preceding and 1 preceding
        ), 0) + (tied_rows + 1) / 2.0 as mean_rank
    from probability_counts
),

rank_sums as (
    select
        model_name,
        origin_date,
        sum(tied_positives * mean_rank) as positive_rank_sum
    from probability_ranks
    group by
        model_name,
        origin_date
),

aucs as (
    select
        fits.model_name,
        fits.origin_date,
        {{ safe_divide(
            'rank_sums.positive_rank_sum - fits.test_positives * (fits.test_positives + 1) / 2.0',
            'fits.test_positives * (fits.test_rows - fits.test_positives)',
        ) }} as auc
    from fits
    inner join rank_sums
        on
            fits.model_name = rank_sums.model_name
            and fits.origin_date = rank_sums.origin_date
),

top_deciles as (
    select
        model_name,
        origin_date,
        lift as top_decile_lift,
        cumulative_gain as top_decile_gain
    from {{ ref('fct_predictive_model_deciles') }}
    where decile = 1
),

-- Calibration error: the rows-weighted mean of |mean predicted - observed rate| over the deciles.
calibration as (
    select
        model_name,
        origin_date,
        {{ safe_divide('sum(cast(test_rows * abs(calibration_gap) as decimal(38, 15)))', 'sum(test_rows)') }}
            as calibration_error
    from {{ ref('fct_predictive_model_deciles') }}
    group by
        model_name,
        origin_date
),

measured as (
    select
        fits.*,
        aucs.auc,
        top_deciles.top_decile_lift,
        top_deciles.top_decile_gain,
        calibration.calibration_error
    from fits
    inner join aucs
        on
            fits.model_name = aucs.model_name
            and fits.origin_date = aucs.origin_date
    left join top_deciles
        on
            fits.model_name = top_deciles.model_name
            and fits.origin_date = top_deciles.origin_date
    left join calibration
        on
            fits.model_name = calibration.model_name
            and fits.origin_date = calibration.origin_date
),

-- The choice, per target and origin: logistic regression is the baseline (simple, explainable);
-- another algorithm replaces it only when its out-of-time AUC is higher by at least var
-- propensity_min_auc_gain. Without an AUC (a test with one outcome only) the baseline stays.
baselines as (
    select
        target,
        origin_date,
        auc as baseline_auc
    from measured
    where algorithm = 'logistic_regression'
),

challengers as (
    select
        target,
        origin_date,
        model_name as best_challenger,
        auc as best_challenger_auc
    from (
        select
            target,
            origin_date,
            model_name,
            auc,
            row_number() over (
                partition by target, origin_date order by auc desc, model_name asc
            ) as challenger_rank
        from measured
        where algorithm != 'logistic_regression' and auc is not null
    ) as ranked_challengers
    where challenger_rank = 1
),

decisions as (
    select
        measured.*,
        baselines.baseline_auc,
        challengers.best_challenger,
        challengers.best_challenger_auc,
        coalesce(
            challengers.best_challenger_auc
            >= baselines.baseline_auc + {{ var('propensity_min_auc_gain') }},
            false
        ) as challenger_wins
    from measured
    left join baselines
        on
            measured.target = baselines.target
            and measured.origin_date = baselines.origin_date
    left join challengers
        on
            measured.target = challengers.target
            and measured.origin_date = challengers.origin_date
),

final as (
    select
        model_name,
        target,
        algorithm,
        origin_date,
        origin_date = {{ as_of_date() }} as is_production_origin,
        cut_date,
        cast(training_rows as {{ dbt.type_bigint() }}) as training_rows,
        cast(training_positives as {{ dbt.type_bigint() }}) as training_positives,
        training_first_event_on,
        training_last_event_on,
        test_first_event_on,
        test_last_event_on,
        cast(test_rows as {{ dbt.type_bigint() }}) as test_rows,
        cast(test_positives as {{ dbt.type_bigint() }}) as test_positives,
        {{ round_to(safe_divide('test_positives', 'test_rows'), 6) }} as base_rate,
        {{ round_to('auc', 6) }} as auc,
        top_decile_lift,
        top_decile_gain,
        {{ round_to('calibration_error', 6) }} as calibration_error,
        case
            when algorithm = 'logistic_regression' then not challenger_wins
            else challenger_wins and model_name = best_challenger
        end as is_chosen,
        case
            when baseline_auc is null or auc is null then 'no_out_of_time_auc'
            when algorithm = 'logistic_regression' and challenger_wins then 'beaten_by_margin'
            when algorithm = 'logistic_regression' and coalesce(best_challenger_auc > auc, false)
                then 'simpler_model_within_margin'
            when algorithm = 'logistic_regression' then 'highest_auc'
            when challenger_wins and model_name = best_challenger then 'higher_auc_by_margin'
            when auc >= baseline_auc then 'gain_below_margin'
            else 'lower_auc'
        end as choice_reason,
        {{ as_of_date() }} as as_of_date
    from decisions
)

select * from final
