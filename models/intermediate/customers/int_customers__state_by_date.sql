-- depends_on: {{ ref('int_calendar__evaluation_dates') }} (read by the pre-hook only)
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}
        delete from {{ this }}
        where evaluation_date not in (select evaluation_date from {{ ref('int_calendar__evaluation_dates') }})
    {% endif %}",
    **replace_by_key('evaluation_date')
) }}

{%- if var('rfm_frequency_breaks') | length + 1 != var('rfm_score_buckets') | int %}
    {{ exceptions.raise_compiler_error(
        "var rfm_frequency_breaks needs rfm_score_buckets - 1 = " ~ (var('rfm_score_buckets') | int - 1)
        ~ " breaks (the least purchases for scores 2 and up), got " ~ var('rfm_frequency_breaks')
    ) }}
{%- endif %}

with

rfm_segments as (
    select
        recency_score,
        frequency_score,
        rfm_segment
    from {{ ref('rfm_segments') }}
),

-- A date's fingerprint: its metrics' (every input up to it), this model's code and vars, and the
-- segment names.
date_fingerprints as (
    select
        metrics_dates.evaluation_date,
        metrics_dates.input_fingerprint + {{ code_fingerprint() }} + segments_seed.fingerprint as input_fingerprint
    from (
        select distinct
            evaluation_date,
            input_fingerprint
        from {{ ref('int_customers__metrics_by_date') }}
    ) as metrics_dates
    cross join (
        select
            coalesce(
                sum({{ row_fingerprint(['recency_score', 'frequency_score', 'rfm_segment']) }}), 0
            ) as fingerprint
        from rfm_segments
    ) as segments_seed
),

-- The dates to build: all of them, or in an incremental run those not already built from the
-- same input.
dates_to_build as (
    select
        date_fingerprints.evaluation_date,
        date_fingerprints.input_fingerprint
    from date_fingerprints
    {{ not_yet_built('date_fingerprints', 'evaluation_date') }}
),

metrics as (
    select
        metrics_by_date.customer_key,
        metrics_by_date.customer_number,
        metrics_by_date.evaluation_date,
        metrics_by_date.purchases_to_date,
        metrics_by_date.first_purchase_on,
        metrics_by_date.last_purchase_on,
        metrics_by_date.days_since_last_purchase,
        metrics_by_date.days_since_first_purchase,
        metrics_by_date.revenue_to_date,
        metrics_by_date.margin_to_date,
        metrics_by_date.purchases_in_window,
        metrics_by_date.revenue_in_window,
        metrics_by_date.mean_days_between_purchases,
        metrics_by_date.days_between_last_two_purchases,
        metrics_by_date.purchases_to_date > 0 as is_buyer,
        dates_to_build.input_fingerprint
    from {{ ref('int_customers__metrics_by_date') }} as metrics_by_date
    inner join dates_to_build
        on metrics_by_date.evaluation_date = dates_to_build.evaluation_date
),

-- Scores and tiers rank buyers only: a prospect has nothing to score. The ranks are taken over
-- narrow rows keyed by customer_number (a window sorts every column it is given, and at a
-- million customers sorting the whole state by its text key was most of the build). They read
-- the table, not the metrics CTE: a CTE read twice is materialized, and writing out every
-- customer's wide row at every date cost more than both reads of the table (39.6 s against
-- 24.4 s for this model alone at scale 500).
buyers as (
    select
        metrics_by_date.customer_number,
        metrics_by_date.evaluation_date,
        metrics_by_date.days_since_last_purchase,
        metrics_by_date.revenue_in_window,
        metrics_by_date.margin_to_date
    from {{ ref('int_customers__metrics_by_date') }} as metrics_by_date
    inner join dates_to_build
        on metrics_by_date.evaluation_date = dates_to_build.evaluation_date
    where metrics_by_date.purchases_to_date > 0
),

-- Recency takes few values (days), so its rank comes from a count per value instead of a sort
-- of every buyer: a value's rank is 1 + the buyers with more days since their last purchase,
-- the rank rank() gives ties.
recency_counts as (
    select
        evaluation_date,
        days_since_last_purchase,
        count(*) as buyers
    from buyers
    group by
        evaluation_date,
        days_since_last_purchase
),

buyers_by_date as (
    select
        evaluation_date,
        sum(buyers) as buyers
    from recency_counts
    group by evaluation_date
),

recency_scores as (
    select
        recency_counts.evaluation_date,
        recency_counts.days_since_last_purchase,
        {{ quantile_score(
            'sum(recency_counts.buyers) over (partition by recency_counts.evaluation_date'
            ~ ' order by recency_counts.days_since_last_purchase desc'
            ~ ' rows between unbounded preceding and current row) - recency_counts.buyers + 1',
            'buyers_by_date.buyers',
            var('rfm_score_buckets'),
        ) }} as recency_score
    from recency_counts
    inner join buyers_by_date
        on recency_counts.evaluation_date = buyers_by_date.evaluation_date
),

buyer_ranks as (
    select
        buyers.customer_number,
        buyers.evaluation_date,
        {{ quantile_score(
            'rank() over (partition by buyers.evaluation_date order by buyers.revenue_in_window)',
            'buyers_by_date.buyers',
            var('rfm_score_buckets'),
        ) }} as monetary_score,
        -- Rank share for the value pyramid: ties broken by key (customer_number is in key
        -- order) so tier sizes are exact. Ranked on the margin in cents (the money type), so
        -- float noise never decides a tie.
        {{ safe_divide(
            'row_number() over (partition by buyers.evaluation_date order by cast(buyers.margin_to_date as '
            ~ type_money() ~ ') desc, buyers.customer_number)',
            'buyers_by_date.buyers',
        ) }} as margin_rank_share
    from buyers
    inner join buyers_by_date
        on buyers.evaluation_date = buyers_by_date.evaluation_date
),

buyer_scores as (
    select
        metrics.*,
        recency_scores.recency_score,
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
            metrics.customer_number = buyer_ranks.customer_number
            and metrics.evaluation_date = buyer_ranks.evaluation_date
    left join recency_scores
        on
            metrics.is_buyer
            and metrics.evaluation_date = recency_scores.evaluation_date
            and metrics.days_since_last_purchase = recency_scores.days_since_last_purchase
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
        case
            when is_churned
                then cast({{ dbt.dateadd('day', var('churn_after_days'), 'last_purchase_on') }} as date)
        end as churned_on,
        input_fingerprint
    from staged
)

select * from final
