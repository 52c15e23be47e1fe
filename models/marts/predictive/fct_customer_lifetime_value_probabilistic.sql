{{ config(enabled=target.type == 'duckdb') }}

{%- if var('btyd_purchase_model') not in ['bg_nbd', 'mbg_nbd'] %}
    {{ exceptions.raise_compiler_error(
        "var btyd_purchase_model must be bg_nbd or mbg_nbd, got " ~ var('btyd_purchase_model')
    ) }}
{%- endif %}

with

summaries as (
    select
        customer_key,
        origin_date,
        repeat_purchases,
        first_purchase_on,
        last_purchase_on,
        days_since_first_purchase,
        days_since_first_purchase - days_first_to_last_purchase as days_since_last_purchase,
        mean_repeat_margin
    from {{ ref('int_predictive__btyd_summary') }}
    where is_scoring_origin
),

scores as (
    select
        customer_key,
        p_alive,
        expected_purchases_next_year,
        expected_purchases_horizon,
        discounted_expected_purchases,
        expected_margin_per_purchase
    from {{ ref('int_predictive__btyd_scores') }}
    where
        is_scoring_origin
        and model_name = '{{ var("btyd_purchase_model") }}'
),

rule_based as (
    select
        customer_key,
        predicted_future_value
    from {{ ref('fct_customer_lifetime_value') }}
),

final as (
    select
        summaries.customer_key,
        summaries.origin_date as as_of_date,
        '{{ var("btyd_purchase_model") }}' as purchase_model,
        summaries.first_purchase_on,
        summaries.last_purchase_on,
        summaries.repeat_purchases,
        summaries.days_since_first_purchase,
        summaries.days_since_last_purchase,
        cast(summaries.mean_repeat_margin as {{ type_money() }}) as mean_repeat_margin,
        scores.p_alive,
        scores.expected_purchases_next_year,
        scores.expected_purchases_horizon,
        scores.discounted_expected_purchases,
        {{ to_money('scores.expected_margin_per_purchase') }} as expected_margin_per_purchase,
        {{ to_money('scores.expected_purchases_next_year * scores.expected_margin_per_purchase') }}
            as expected_margin_next_year,
        {{ to_money('scores.expected_purchases_horizon * scores.expected_margin_per_purchase') }}
            as expected_margin_horizon,
        -- The probabilistic LTV: each year's expected purchases discounted, times the margin per
        -- purchase (the margin per purchase does not change over time in Gamma-Gamma).
        {{ to_money('scores.discounted_expected_purchases * scores.expected_margin_per_purchase') }}
            as discounted_expected_margin,
        rule_based.predicted_future_value as rule_based_predicted_future_value,
        cast({{ var('ltv_discount_rate') }} as {{ type_double() }}) as discount_rate,
        {{ var('ltv_horizon_years') }} as horizon_years
    from summaries
    inner join scores
        on summaries.customer_key = scores.customer_key
    left join rule_based
        on summaries.customer_key = rule_based.customer_key
)

select * from final
