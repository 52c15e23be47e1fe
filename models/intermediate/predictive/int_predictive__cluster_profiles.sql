-- The label rule: doc block cluster_label. Ties between equally strong traits go by the order of
-- the list below (feature_order), so the label never depends on the order rows arrive in.
{{ config(enabled=target.type == 'duckdb') }}

{%- set traits = [
    ('recency', 'lapsed', 'recently active'),
    ('frequency', 'frequent', 'one-off'),
    ('basket', 'big baskets', 'small baskets'),
    ('tenure', 'long-standing', 'new'),
    ('gap', 'long gaps', 'short gaps'),
    ('online', 'online', 'offline'),
    ('breadth', 'broad range', 'narrow range'),
    ('discount', 'discount-driven', 'full-price'),
    ('tickets', 'service-heavy', 'no service contact'),
] %}

with

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

clusters as (
    select * from {{ ref('int_predictive__clusters') }}
),

features as (
    select
        features.customer_key,
        features.days_since_last_purchase,
        features.purchases_to_date,
        features.revenue_to_date,
        features.margin_to_date,
        features.days_since_first_purchase,
        features.mean_days_between_purchases,
        features.online_purchase_share,
        features.categories_bought,
        features.discounted_revenue_share,
        features.recent_tickets,
        features.is_churned
    from {{ ref('int_customers__features_by_date') }} as features
    inner join as_of
        on features.evaluation_date = as_of.as_of_date
    where features.is_buyer
),

profiles as (
    select
        -- Means and sums of doubles are taken as decimals: a floating-point sum depends on the order
        -- rows arrive in (threads), and two builds of the same data must give the same profile.
        clusters.cluster_number,
        max(clusters.cluster_count) as cluster_count,
        max(clusters.silhouette) as silhouette,
        count(*) as customers,
        cast(avg(cast(features.days_since_last_purchase as decimal(38, 9))) as {{ type_double() }})
            as mean_days_since_last_purchase,
        cast(avg(cast(features.purchases_to_date as decimal(38, 9))) as {{ type_double() }}) as mean_purchases,
        {{ safe_divide('sum(cast(features.revenue_to_date as decimal(38, 6)))', 'sum(features.purchases_to_date)') }}
            as revenue_per_purchase,
        cast(avg(cast(features.days_since_first_purchase as decimal(38, 9))) as {{ type_double() }})
            as mean_days_since_first_purchase,
        cast(avg(cast(features.mean_days_between_purchases as decimal(38, 15))) as {{ type_double() }})
            as mean_days_between_purchases,
        cast(avg(cast(features.online_purchase_share as decimal(38, 15))) as {{ type_double() }})
            as mean_online_purchase_share,
        cast(avg(cast(features.categories_bought as decimal(38, 9))) as {{ type_double() }}) as mean_categories_bought,
        cast(avg(cast(features.discounted_revenue_share as decimal(38, 15))) as {{ type_double() }})
            as mean_discounted_revenue_share,
        cast(avg(cast(features.recent_tickets as decimal(38, 9))) as {{ type_double() }}) as mean_recent_tickets,
        cast(avg(cast(case when features.is_churned then 1.0 else 0.0 end as decimal(38, 15))) as {{ type_double() }})
            as churned_share,
        {% for feature, high, low in traits %}
        cast(avg(cast(clusters.z_{{ feature }} as decimal(38, 15))) as {{ type_double() }}) as mean_z_{{ feature }},
        {% endfor %}
        cast(sum(cast(features.revenue_to_date as decimal(38, 6))) as {{ type_double() }}) as revenue_to_date,
        cast(sum(cast(features.margin_to_date as decimal(38, 6))) as {{ type_double() }}) as margin_to_date
    from clusters
    inner join features
        on clusters.customer_key = features.customer_key
    group by clusters.cluster_number
),

-- The standardised means, one row per cluster and feature.
feature_means as (
    {% for feature, high, low in traits %}
    select
        cluster_number,
        {{ loop.index }} as feature_order,
        case when mean_z_{{ feature }} > 0 then '{{ high }}' else '{{ low }}' end as trait,
        abs(mean_z_{{ feature }}) as distance_from_base
    from profiles
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

traits as (
    select
        cluster_number,
        trait,
        row_number() over (
            partition by cluster_number
            order by distance_from_base desc, feature_order asc
        ) as trait_rank
    from feature_means
    where distance_from_base >= {{ var('cluster_trait_min_z') }}
),

labels as (
    select
        cluster_number,
        {{ dbt.listagg('trait', "', '", 'order by trait_rank') }} as cluster_label
    from traits
    where trait_rank <= {{ var('cluster_label_traits') }}
    group by cluster_number
),

final as (
    select
        profiles.cluster_number,
        coalesce(labels.cluster_label, 'typical') as cluster_label,
        profiles.cluster_count,
        profiles.silhouette,
        profiles.customers,
        {{ safe_divide('profiles.customers', 'sum(profiles.customers) over ()') }} as customer_share,
        profiles.revenue_to_date,
        {{ safe_divide('profiles.revenue_to_date', 'sum(profiles.revenue_to_date) over ()') }} as revenue_share,
        profiles.margin_to_date,
        {{ safe_divide('profiles.margin_to_date', 'sum(profiles.margin_to_date) over ()') }} as margin_share,
        profiles.mean_days_since_last_purchase,
        profiles.mean_purchases,
        profiles.revenue_per_purchase,
        profiles.mean_days_since_first_purchase,
        profiles.mean_days_between_purchases,
        profiles.mean_online_purchase_share,
        profiles.mean_categories_bought,
        profiles.mean_discounted_revenue_share,
        profiles.mean_recent_tickets,
        {% for feature, high, low in traits %}
        profiles.mean_z_{{ feature }},
        {% endfor %}
        profiles.churned_share
    from profiles
    left join labels
        on profiles.cluster_number = labels.cluster_number
)

select * from final
