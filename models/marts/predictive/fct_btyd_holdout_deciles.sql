{{ config(enabled=target.type == 'duckdb') }}

with

holdout_customers as (
    select
        origin_index,
        origin_date as cut_date,
        holdout_end_on,
        customer_key,
        holdout_purchases,
        holdout_margin
    from {{ ref('int_predictive__btyd_summary') }}
    where
        not is_scoring_origin
        and is_in_fit_sample
),

ranked as (
    select
        holdout_customers.cut_date,
        holdout_customers.holdout_end_on,
        scores.model_name,
        scores.expected_holdout_purchases as predicted_purchases,
        scores.expected_holdout_purchases * scores.expected_margin_per_purchase as predicted_margin,
        holdout_customers.holdout_purchases,
        holdout_customers.holdout_margin,
        -- The customer key breaks ties, so equal predictions fall into deciles the same way on every run.
        ntile(10) over (
            partition by scores.origin_index, scores.model_name
            order by scores.expected_holdout_purchases desc, scores.customer_key asc
        ) as decile
    from {{ ref('int_predictive__btyd_scores') }} as scores
    inner join holdout_customers
        on
            scores.origin_index = holdout_customers.origin_index
            and scores.customer_key = holdout_customers.customer_key
),

deciles as (
    select
        cut_date,
        holdout_end_on,
        model_name,
        decile,
        count(*) as customers,
        -- Decimal sums: a sum of doubles depends on row order, and rebuilds must agree.
        cast(sum(cast(predicted_purchases as decimal(38, 12))) as {{ type_double() }}) as predicted_purchases,
        sum(holdout_purchases) as actual_purchases,
        cast(sum(cast(predicted_margin as decimal(38, 9))) as {{ type_double() }}) as predicted_margin,
        sum(cast(holdout_margin as decimal(38, 9))) as actual_margin
    from ranked
    group by
        cut_date,
        holdout_end_on,
        model_name,
        decile
),

final as (
    select
        cut_date,
        holdout_end_on,
        model_name,
        cast(decile as {{ dbt.type_int() }}) as decile,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(predicted_purchases as {{ type_double() }}) as predicted_purchases,
        cast(actual_purchases as {{ dbt.type_bigint() }}) as actual_purchases,
        {{ safe_divide('predicted_purchases', 'customers') }} as mean_predicted_purchases,
        {{ safe_divide('actual_purchases', 'customers') }} as mean_actual_purchases,
        {{ to_money('predicted_margin') }} as predicted_margin,
        {{ to_money('actual_margin') }} as actual_margin,
        -- Lift: the decile's purchases per customer against the whole tested base's.
        {{ safe_divide(
            safe_divide('actual_purchases', 'customers'),
            'sum(actual_purchases) over (partition by cut_date, model_name)'
            ~ ' / sum(customers) over (partition by cut_date, model_name)',
        ) }} as lift,
        -- Gains: the share of all holdout purchases made by deciles 1 to this one.
        {{ safe_divide(
            'sum(actual_purchases) over (partition by cut_date, model_name order by decile'
            ~ ' rows between unbounded preceding and current row)',
            'sum(actual_purchases) over (partition by cut_date, model_name)',
        ) }} as cumulative_actual_purchase_share
    from deciles
)

select * from final
