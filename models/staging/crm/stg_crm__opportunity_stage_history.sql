with

source as (
    {{ collapse_exact_duplicates(source('crm', 'opportunity_stage_history'), [
        'stage_change_id', 'opportunity_id', 'stage', 'changed_at',
    ]) }}
),

final as (
    select
        cast(stage_change_id as {{ dbt.type_int() }}) as stage_change_id,
        cast(opportunity_id as {{ dbt.type_int() }}) as opportunity_id,
        lower(trim(stage)) as entered_stage,
        {{ to_utc_timestamp('changed_at') }} as changed_at,
        loaded_copies
    from source
)

select * from final
