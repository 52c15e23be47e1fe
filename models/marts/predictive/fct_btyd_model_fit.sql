{{ config(enabled=target.type == 'duckdb') }}

with

fits as (
    select
        origin_index,
        model_name,
        parameter_name,
        parameter_value,
        log_likelihood,
        fitted_customers
    from {{ ref('int_predictive__btyd_fit') }}
),

origins as (
    select distinct
        origin_index,
        origin_date as cut_date,
        holdout_end_on,
        holdout_days
    from {{ ref('int_predictive__btyd_summary') }}
),

-- The tested customers of a back-test origin: its fit sample, with what they bought in the holdout.
holdout_customers as (
    select
        origin_index,
        customer_key,
        repeat_purchases,
        mean_repeat_margin,
        holdout_purchases,
        holdout_margin,
        -- The naive benchmark: purchases at the past repeat rate x / T over the holdout's days.
        case
            when days_since_first_purchase > 0
                then cast(repeat_purchases as {{ type_double() }}) / days_since_first_purchase * holdout_days
            else 0
        end as naive_purchases
    from {{ ref('int_predictive__btyd_summary') }}
    where
        not is_scoring_origin
        and is_in_fit_sample
),

-- Every model's per-customer predictions for the holdout; naive_rate once per origin.
predictions as (
    select
        scores.origin_index,
        scores.model_name,
        holdout_customers.customer_key,
        holdout_customers.repeat_purchases,
        scores.expected_holdout_purchases as predicted_purchases,
        scores.expected_holdout_purchases * scores.expected_margin_per_purchase as predicted_margin,
        scores.expected_margin_per_purchase as predicted_margin_per_purchase,
        holdout_customers.holdout_purchases,
        holdout_customers.holdout_margin
    from {{ ref('int_predictive__btyd_scores') }} as scores
    inner join holdout_customers
        on
            scores.origin_index = holdout_customers.origin_index
            and scores.customer_key = holdout_customers.customer_key
    union all
    select
        origin_index,
        'naive_rate' as model_name,
        customer_key,
        repeat_purchases,
        naive_purchases as predicted_purchases,
        naive_purchases * coalesce(mean_repeat_margin, 0) as predicted_margin,
        mean_repeat_margin as predicted_margin_per_purchase,
        holdout_purchases,
        holdout_margin
    from holdout_customers
),

holdout_errors as (
    select
        origin_index,
        model_name,
        count(*) as customers,
        -- Sums of doubles are taken as decimals: a floating-point sum depends on the order the
        -- rows arrive in (threads), and two builds of the same data must give the same figures.
        sum(holdout_purchases) as actual_purchases,
        sum(cast(predicted_purchases as decimal(38, 12))) as predicted_purchases,
        avg(cast(abs(predicted_purchases - holdout_purchases) as decimal(38, 12)))
            as purchases_mean_absolute_error,
        sqrt(avg(cast(power(predicted_purchases - holdout_purchases, 2) as decimal(38, 12))))
            as purchases_root_mean_squared_error,
        sum(cast(holdout_margin as decimal(38, 9))) as actual_margin,
        sum(cast(predicted_margin as decimal(38, 9))) as predicted_margin,
        avg(cast(abs(predicted_margin - holdout_margin) as decimal(38, 9))) as margin_mean_absolute_error
    from predictions
    group by
        origin_index,
        model_name
),

-- The spend model alone: its margin per purchase against the mean margin of the holdout purchases,
-- for the customers who had a repeat purchase before the cut and bought in the holdout. Every
-- purchase model carries the same Gamma-Gamma prediction: one of them stands for it.
spend_errors as (
    select
        origin_index,
        case when model_name = 'naive_rate' then 'naive_rate' else 'gamma_gamma' end as model_name,
        count(*) as customers,
        avg(cast(abs(predicted_margin_per_purchase - holdout_margin / holdout_purchases) as decimal(38, 9)))
            as margin_per_purchase_mean_absolute_error
    from predictions
    where
        repeat_purchases > 0
        and holdout_purchases > 0
        and model_name in ('naive_rate', '{{ var("btyd_purchase_model") }}')
    group by
        origin_index,
        case when model_name = 'naive_rate' then 'naive_rate' else 'gamma_gamma' end
),

measures as (
    select distinct
        origin_index,
        model_name,
        parameter_name as measure_name,
        parameter_value as measure_value,
        fitted_customers as customers
    from fits
    union all
    select distinct
        origin_index,
        model_name,
        'log_likelihood' as measure_name,
        log_likelihood as measure_value,
        fitted_customers as customers
    from fits
    {% for measure in [
        'actual_purchases', 'predicted_purchases', 'purchases_mean_absolute_error',
        'purchases_root_mean_squared_error', 'actual_margin', 'predicted_margin', 'margin_mean_absolute_error',
    ] %}
    union all
    select
        origin_index,
        model_name,
        '{{ measure }}' as measure_name,
        cast({{ measure }} as {{ type_double() }}) as measure_value,
        customers
    from holdout_errors
    {% endfor %}
    union all
    -- Above 0: the model expected more purchases in all than came.
    select
        origin_index,
        model_name,
        'purchases_total_error_share' as measure_name,
        {{ safe_divide('predicted_purchases - actual_purchases', 'actual_purchases') }} as measure_value,
        customers
    from holdout_errors
    union all
    select
        origin_index,
        model_name,
        'margin_total_error_share' as measure_name,
        {{ safe_divide('predicted_margin - actual_margin', 'actual_margin') }} as measure_value,
        customers
    from holdout_errors
    union all
    select
        origin_index,
        model_name,
        'margin_per_purchase_mean_absolute_error' as measure_name,
        margin_per_purchase_mean_absolute_error as measure_value,
        customers
    from spend_errors
),

final as (
    select
        origins.cut_date,
        origins.holdout_end_on,
        origins.origin_index = 0 as is_production_fit,
        measures.model_name,
        measures.measure_name,
        cast(measures.measure_value as {{ type_double() }}) as measure_value,
        cast(measures.customers as {{ dbt.type_bigint() }}) as customers
    from measures
    inner join origins
        on measures.origin_index = origins.origin_index
)

select * from final
