-- dim_customers_history holds exactly one current version per customer in dim_customers,
-- and that version carries the customer's current segment, tier and stage.
with

current_versions as (
    select * from {{ ref('dim_customers_history') }}
    where is_current
),

customers as (
    select * from {{ ref('dim_customers') }}
),

counted as (
    select
        customers.customer_key,
        count(current_versions.customer_key) as current_versions,
        count(
            case
                when
                    current_versions.lifecycle_stage = customers.lifecycle_stage
                    and coalesce(current_versions.value_tier, '') = coalesce(customers.value_tier, '')
                    and coalesce(current_versions.rfm_segment, '') = coalesce(customers.rfm_segment, '')
                    then 1
            end
        ) as matching_versions
    from customers
    left join current_versions
        on customers.customer_key = current_versions.customer_key
    group by customers.customer_key
)

select *
from counted
where current_versions != 1 or matching_versions != 1
