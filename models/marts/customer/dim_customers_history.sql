-- One row per customer and version of their changing attributes (from the snapshot
-- snap_customer_state): segment, tier, stage, channel and region as they were between
-- valid_from and valid_to (exclusive; null for the current version). Query a past state
-- with: valid_from <= d and (valid_to > d or valid_to is null).
with

versions as (
    select
        customer_key,
        customer_type,
        region,
        country_code,
        preferred_channel_code,
        rfm_segment,
        value_tier,
        lifecycle_stage,
        is_churned,
        state_as_of,
        dbt_scd_id,
        dbt_valid_from
    from {{ ref('snap_customer_state') }}
),

dated as (
    select
        *,
        lead(state_as_of) over (
            partition by customer_key order by state_as_of, dbt_valid_from
        ) as next_state_as_of
    from versions
),

final as (
    select
        dbt_scd_id as customer_version_id,
        customer_key,
        customer_type,
        region,
        country_code,
        preferred_channel_code,
        rfm_segment,
        value_tier,
        lifecycle_stage,
        is_churned,
        state_as_of as valid_from,
        next_state_as_of as valid_to,
        next_state_as_of is null as is_current
    from dated
)

select * from final
