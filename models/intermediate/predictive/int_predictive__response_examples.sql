-- A table: the propensity model reads it nine times (training and test samples per back-test
-- split, and the scoring fit's). As a view, each read re-joined every touch to the features:
-- 7 s of that model's 33 s at scale 500, against 1.3 s to build the table once.
{{ config(materialized='table') }}

with

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

touches as (
    select
        touch_id,
        customer_key,
        cast(touched_at as date) as touched_on,
        cast(responded_at as date) as responded_on
    from {{ ref('int_campaign_touches__as_of') }}
),

dated_touches as (
    select
        touch_id,
        customer_key,
        touched_on,
        responded_on,
        cast({{ dbt.last_day(dbt.dateadd('month', -1, 'touched_on'), 'month') }} as date) as feature_date,
        cast({{ dbt.dateadd('day', var('response_window_days'), 'touched_on') }} as date) as label_closes_on
    from touches
),

-- Touches before the feature history, or of customers not yet known at the month end before,
-- have no feature row and are left out.
final as (
    select
        dated_touches.touch_id,
        dated_touches.customer_key,
        dated_touches.touched_on,
        features.evaluation_date,
        case
            when dated_touches.label_closes_on <= as_of.as_of_date
                then coalesce(dated_touches.responded_on <= dated_touches.label_closes_on, false)
        end as responds_within_window,
        features.is_buyer,
        features.is_churned,
        features.lifecycle_stage,
        features.value_tier,
        features.tenure_days,
        features.days_since_first_purchase,
        features.days_since_last_purchase,
        features.purchases_to_date,
        features.purchases_in_window,
        features.revenue_to_date,
        features.margin_to_date,
        features.revenue_in_window,
        features.recency_score,
        features.frequency_score,
        features.monetary_score,
        features.margin_rank_share,
        features.mean_days_between_purchases,
        features.days_between_last_two_purchases,
        features.last_gap_ratio,
        features.overdue_ratio,
        features.online_purchase_share,
        features.categories_bought,
        features.discounted_revenue_share,
        features.recent_tickets,
        features.recent_complaints,
        features.complaints_to_date,
        features.poorly_served_tickets_to_date,
        features.mean_satisfaction_score,
        features.satisfaction_index,
        features.touches_to_date,
        features.recent_touches,
        features.responses_to_date,
        features.response_rate_to_date
    from dated_touches
    inner join {{ ref('int_customers__features_by_date') }} as features
        on
            dated_touches.customer_key = features.customer_key
            and dated_touches.feature_date = features.evaluation_date
    cross join as_of
)

select * from final
