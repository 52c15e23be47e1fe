with

snapshots as (
    select
        month_start,
        lifecycle_stage,
        previous_lifecycle_stage as previous_stage
    from {{ ref('fct_customer_monthly_snapshot') }}
),

final as (
    select
        {{ composite_key(['month_start', "coalesce(previous_stage, 'none')", 'lifecycle_stage'], ':') }}
            as transition_id,
        month_start,
        coalesce(previous_stage, 'none') as from_stage,
        lifecycle_stage as to_stage,
        coalesce(previous_stage, 'none') != lifecycle_stage as is_stage_change,
        count(*) as customers
    from snapshots
    group by
        month_start,
        coalesce(previous_stage, 'none'),
        lifecycle_stage
)

select * from final
