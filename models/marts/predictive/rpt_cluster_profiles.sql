{{ config(enabled=target.type == 'duckdb') }}

with

profiles as (
    select * from {{ ref('int_predictive__cluster_profiles') }}
),

-- The most common RFM segment per cluster (ties: the segment name), and its share of the cluster.
segment_counts as (
    select
        cluster_number,
        rfm_segment,
        count(*) as customers,
        row_number() over (
            partition by cluster_number
            order by count(*) desc, rfm_segment
        ) as segment_rank
    from {{ ref('fct_customer_clusters') }}
    group by
        cluster_number,
        rfm_segment
),

final as (
    select
        cast(profiles.cluster_number as {{ dbt.type_int() }}) as cluster_number,
        profiles.cluster_label,
        cast(profiles.cluster_count as {{ dbt.type_int() }}) as cluster_count,
        profiles.silhouette,
        cast(profiles.customers as {{ dbt.type_bigint() }}) as customers,
        profiles.customer_share,
        cast(profiles.revenue_to_date as {{ type_money() }}) as revenue_to_date,
        profiles.revenue_share,
        cast(profiles.margin_to_date as {{ type_money() }}) as margin_to_date,
        profiles.margin_share,
        profiles.churned_share,
        profiles.mean_days_since_last_purchase,
        profiles.mean_purchases,
        {{ to_money('profiles.revenue_per_purchase') }} as revenue_per_purchase,
        profiles.mean_days_since_first_purchase,
        profiles.mean_days_between_purchases,
        profiles.mean_online_purchase_share,
        profiles.mean_categories_bought,
        profiles.mean_discounted_revenue_share,
        profiles.mean_recent_tickets,
        segment_counts.rfm_segment as top_rfm_segment,
        {{ safe_divide('segment_counts.customers', 'profiles.customers') }} as top_rfm_segment_share,
        profiles.mean_z_recency,
        profiles.mean_z_frequency,
        profiles.mean_z_basket,
        profiles.mean_z_tenure,
        profiles.mean_z_gap,
        profiles.mean_z_online,
        profiles.mean_z_breadth,
        profiles.mean_z_discount,
        profiles.mean_z_tickets
    from profiles
    left join segment_counts
        on
            profiles.cluster_number = segment_counts.cluster_number
            and segment_counts.segment_rank = 1
)

select * from final
