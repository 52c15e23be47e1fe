{{ config(enabled=target.type == 'duckdb') }}

with

customers as (
    select
        as_of_date,
        cluster_number,
        cluster_label,
        rfm_segment
    from {{ ref('fct_customer_clusters') }}
),

cells as (
    select
        as_of_date,
        cluster_number,
        cluster_label,
        rfm_segment,
        count(*) as customers
    from customers
    group by
        as_of_date,
        cluster_number,
        cluster_label,
        rfm_segment
),

final as (
    select
        as_of_date,
        cluster_number,
        cluster_label,
        rfm_segment,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        {{ safe_divide('customers', 'sum(customers) over (partition by cluster_number)') }} as share_of_cluster,
        {{ safe_divide('customers', 'sum(customers) over (partition by rfm_segment)') }} as share_of_segment,
        {{ safe_divide('customers', 'sum(customers) over ()') }} as share_of_customers
    from cells
)

select * from final
