with

states as (
    select * from {{ ref('int_customers__state_by_date') }}
    where evaluation_date = {{ as_of_date() }}
),

final as (
    select
        customer_key,
        customer_number,
        evaluation_date,
        purchases_to_date,
        first_purchase_on,
        last_purchase_on,
        days_since_last_purchase,
        days_since_first_purchase,
        revenue_to_date,
        margin_to_date,
        purchases_in_window,
        revenue_in_window,
        mean_days_between_purchases,
        days_between_last_two_purchases,
        recency_score,
        frequency_score,
        monetary_score,
        rfm_cell,
        rfm_segment,
        margin_rank_share,
        value_tier,
        lifecycle_stage,
        is_churned,
        churned_on
    from states
)

select * from final
