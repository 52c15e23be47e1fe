with

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

recorded as (
    select
        snapshot_versions.dbt_scd_id as customer_version_id,
        snapshot_versions.customer_key,
        snapshot_versions.customer_type,
        snapshot_versions.region,
        snapshot_versions.country_code,
        snapshot_versions.preferred_channel_code,
        snapshot_versions.rfm_segment,
        snapshot_versions.value_tier,
        snapshot_versions.lifecycle_stage,
        snapshot_versions.is_churned,
        snapshot_versions.state_as_of,
        snapshot_versions.dbt_valid_from,
        true as is_recorded
    from {{ ref('snap_customer_state') }} as snapshot_versions
    inner join as_of
        on snapshot_versions.state_as_of <= as_of.as_of_date
),

last_recorded as (
    select
        *,
        row_number() over (
            partition by customer_key order by state_as_of desc, dbt_valid_from desc
        ) as recency_rank
    from recorded
),

customers as (
    select * from {{ ref('dim_customers') }}
),

unrecorded as (
    select
        {{ composite_key(['customers.customer_key', 'customers.as_of_date'], '@') }} as customer_version_id,
        customers.customer_key,
        customers.customer_type,
        customers.region,
        customers.country_code,
        customers.preferred_channel_code,
        customers.rfm_segment,
        customers.value_tier,
        customers.lifecycle_stage,
        customers.is_churned,
        customers.as_of_date as state_as_of,
        cast(null as {{ dbt.type_timestamp() }}) as dbt_valid_from,
        false as is_recorded
    from customers
    left join last_recorded
        on
            customers.customer_key = last_recorded.customer_key
            and last_recorded.recency_rank = 1
    where
        last_recorded.customer_key is null
        or customers.customer_type is distinct from last_recorded.customer_type
        or customers.region is distinct from last_recorded.region
        or customers.country_code is distinct from last_recorded.country_code
        or customers.preferred_channel_code is distinct from last_recorded.preferred_channel_code
        or customers.rfm_segment is distinct from last_recorded.rfm_segment
        or customers.value_tier is distinct from last_recorded.value_tier
        or customers.lifecycle_stage is distinct from last_recorded.lifecycle_stage
        or customers.is_churned is distinct from last_recorded.is_churned
),

-- recorded and unrecorded list the same columns in the same order
versions as (
    select * from recorded
    union all
    select * from unrecorded
),

dated as (
    select
        *,
        lead(state_as_of) over (
            partition by customer_key order by state_as_of asc, is_recorded desc, dbt_valid_from asc
        ) as next_state_as_of
    from versions
),

-- A key that is no longer a customer (merged into another by identity matching, or found
-- to be an internal account) keeps its history, closed at as_of_date: it has no current state.
final as (
    select
        dated.customer_version_id,
        dated.customer_key,
        dated.customer_type,
        dated.region,
        dated.country_code,
        dated.preferred_channel_code,
        dated.rfm_segment,
        dated.value_tier,
        dated.lifecycle_stage,
        dated.is_churned,
        dated.state_as_of as valid_from,
        coalesce(
            dated.next_state_as_of, case when customers.customer_key is null then as_of.as_of_date end
        ) as valid_to,
        dated.next_state_as_of is null and customers.customer_key is not null as is_current,
        dated.is_recorded
    from dated
    cross join as_of
    left join customers
        on dated.customer_key = customers.customer_key
)

select * from final
