-- One row per customer and evaluation date: RFM scores and segment, value tier and
-- lifecycle stage as of that date. The current marts read the as_of_date rows; the monthly
-- snapshot reads the month ends. One code path, so both always agree.

-- A table: several models read it (as a view, PostgreSQL re-ran its joins row by row).
{{ config(materialized='table') }}

{%- if var('rfm_frequency_breaks') | length + 1 != var('rfm_score_buckets') | int %}
    {{ exceptions.raise_compiler_error(
        "var rfm_frequency_breaks needs rfm_score_buckets - 1 = " ~ (var('rfm_score_buckets') | int - 1)
        ~ " breaks (the least purchases for scores 2 and up), got " ~ var('rfm_frequency_breaks')
    ) }}
{%- endif %}

with

metrics as (
    select
        *,
        purchases_to_date > 0 as is_buyer
    from {{ ref('int_customers__metrics_by_date') }}
),

rfm_segments as (
    select
        recency_score,
        frequency_score,
        rfm_segment
    from {{ ref('rfm_segments') }}
),

-- Scores and tiers rank buyers only: a prospect has nothing to score. The ranking windows
-- read only the columns they rank (a window sorts every column it is given, and at a
-- million customers sorting the whole state three times was most of the build).
buyer_ranks as (
    select
        customer_key,
        evaluation_date,
        {{ quantile_score('days_since_last_purchase', var('rfm_score_buckets'), 'evaluation_date', descending=true) }}
            as recency_score,
        {{ quantile_score('revenue_in_window', var('rfm_score_buckets'), 'evaluation_date') }} as monetary_score,
        -- Rank share for the value pyramid: ties broken by key so tier sizes are exact. Ranked
        -- on the margin in cents (the money type), so float noise never decides a tie.
        {{ safe_divide(
            'row_number() over (partition by evaluation_date order by cast(margin_to_date as '
            ~ type_money() ~ ') desc, customer_key)',
            'count(*) over (partition by evaluation_date)',
        ) }} as margin_rank_share
    from metrics
    where is_buyer
),

buyer_scores as (
    select
        metrics.*,
        buyer_ranks.recency_score,
        -- Frequency is a small count full of ties: quintiles of it move with the data (no
        -- score 3 at all, two purchases scoring 4). Fixed breaks keep its meaning.
        case
            when metrics.is_buyer then
                cast(
                    {{ threshold_score('metrics.purchases_in_window', var('rfm_frequency_breaks')) }}
                    as {{ dbt.type_int() }}
                )
        end as frequency_score,
        buyer_ranks.monetary_score,
        buyer_ranks.margin_rank_share
    from metrics
    left join buyer_ranks
        on
            metrics.customer_key = buyer_ranks.customer_key
            and metrics.evaluation_date = buyer_ranks.evaluation_date
),

staged as (
    select
        buyer_scores.*,
        case
            when buyer_scores.is_buyer then
            {{ dbt.concat([
                "cast(buyer_scores.recency_score as " ~ dbt.type_string() ~ ")",
                "cast(buyer_scores.frequency_score as " ~ dbt.type_string() ~ ")",
                "cast(buyer_scores.monetary_score as " ~ dbt.type_string() ~ ")",
            ]) }}
        end as rfm_cell,
        rfm_segments.rfm_segment,
        case
            when not buyer_scores.is_buyer then null
            when buyer_scores.margin_rank_share <= {{ var('value_tier_key_share') }} then 'key'
            when buyer_scores.margin_rank_share <= {{ var('value_tier_major_share') }} then 'major'
            when buyer_scores.margin_rank_share <= {{ var('value_tier_ordinary_share') }} then 'ordinary'
            else 'small'
        end as value_tier,
        -- Precedence matters: the first matching stage wins.
        case
            when buyer_scores.purchases_to_date = 0 then 'prospect'
            when buyer_scores.days_since_last_purchase >= {{ var('churn_after_days') }} then 'churned'
            when buyer_scores.days_between_last_two_purchases >= {{ var('churn_after_days') }} then 'reactivated'
            when buyer_scores.days_since_first_purchase < {{ var('new_customer_days') }} then 'new'
            when
                buyer_scores.purchases_to_date >= 2
                and buyer_scores.days_since_last_purchase
                > {{ var('declining_gap_factor') }} * buyer_scores.mean_days_between_purchases
                then 'declining'
            when buyer_scores.purchases_to_date >= {{ var('stable_min_orders') }} then 'stable'
            else 'developing'
        end as lifecycle_stage,
        buyer_scores.is_buyer
        and buyer_scores.days_since_last_purchase >= {{ var('churn_after_days') }} as is_churned
    from buyer_scores
    left join rfm_segments
        on
            buyer_scores.recency_score = rfm_segments.recency_score
            and buyer_scores.frequency_score = rfm_segments.frequency_score
),

final as (
    select
        customer_key,
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
        case
            when is_churned
                then cast({{ dbt.dateadd('day', var('churn_after_days'), 'last_purchase_on') }} as date)
        end as churned_on
    from staged
)

select * from final
