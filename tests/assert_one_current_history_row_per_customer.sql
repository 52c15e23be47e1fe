-- dim_customers_history holds exactly one current version per customer in dim_customers,
-- that version carries the customer's current segment, tier and stage, and no key outside
-- dim_customers has a current version.
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
),

orphans as (
    select
        current_versions.customer_key,
        count(*) as current_versions,
        0 as matching_versions
    from current_versions
    left join customers
        on current_versions.customer_key = customers.customer_key
    where customers.customer_key is null
    group by current_versions.customer_key
),

final as (
    select
        customer_key,
        current_versions,
        matching_versions
    from counted
    where current_versions != 1 or matching_versions != 1
    union all
    select
        customer_key,
        current_versions,
        matching_versions
    from orphans
)

select * from final
