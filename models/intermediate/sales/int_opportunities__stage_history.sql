with

changes as (
    select
        stage_change_id,
        opportunity_id,
        entered_stage,
        changed_at
    from {{ ref('stg_crm__opportunity_stage_history') }}
    where cast(changed_at as date) <= {{ as_of_date() }}
),

stages as (
    select
        stage,
        stage_order,
        win_probability,
        is_closed
    from {{ ref('opportunity_stages') }}
),

sequenced as (
    select
        changes.*,
        lead(changes.changed_at) over (
            partition by changes.opportunity_id order by changes.changed_at, changes.stage_change_id
        ) as next_changed_at,
        row_number() over (
            partition by changes.opportunity_id order by changes.changed_at desc, changes.stage_change_id desc
        ) = 1 as is_current_stage
    from changes
),

final as (
    select
        sequenced.stage_change_id,
        sequenced.opportunity_id,
        sequenced.entered_stage as stage,
        stages.stage_order,
        stages.win_probability,
        stages.is_closed,
        sequenced.changed_at as entered_at,
        sequenced.next_changed_at as exited_at,
        sequenced.is_current_stage,
        case
            when not stages.is_closed
                then {{ periods_between(
                    'sequenced.changed_at',
                    'coalesce(sequenced.next_changed_at, ' ~ dbt.dateadd('day', 1, as_of_date()) ~ ')',
                    'hour',
                ) }} / cast(24 as {{ type_double() }})
        end as days_in_stage
    from sequenced
    inner join stages
        on sequenced.entered_stage = stages.stage
)

select * from final
