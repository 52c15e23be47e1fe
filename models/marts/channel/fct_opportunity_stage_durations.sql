with

history as (
    select * from {{ ref('int_opportunities__stage_history') }}
),

final as (
    select
        stage_change_id,
        opportunity_id,
        stage,
        stage_order,
        entered_at,
        exited_at,
        is_current_stage,
        days_in_stage
    from history
)

select * from final
