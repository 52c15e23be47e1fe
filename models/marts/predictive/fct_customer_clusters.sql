{{ config(enabled=target.type == 'duckdb') }}

with

clusters as (
    select
        customer_key,
        cluster_number,
        distance_to_centre
    from {{ ref('int_predictive__clusters') }}
),

profiles as (
    select
        cluster_number,
        cluster_label
    from {{ ref('int_predictive__cluster_profiles') }}
),

segments as (
    select
        customer_key,
        evaluation_date,
        rfm_segment
    from {{ ref('int_customers__state_as_of') }}
),

final as (
    select
        clusters.customer_key,
        segments.evaluation_date as as_of_date,
        cast(clusters.cluster_number as {{ dbt.type_int() }}) as cluster_number,
        profiles.cluster_label,
        clusters.distance_to_centre,
        segments.rfm_segment
    from clusters
    inner join profiles
        on clusters.cluster_number = profiles.cluster_number
    inner join segments
        on clusters.customer_key = segments.customer_key
)

select * from final
