with

touches as (
    select * from {{ ref('stg_crm__campaign_touches') }}
    where is_valid
),

identities as (
    select
        source_id,
        customer_key,
        is_internal_account
    from {{ ref('int_customers__identity_map') }}
    where source_system = 'crm'
),

final as (
    select
        touches.touch_id,
        touches.campaign_id,
        identities.customer_key,
        touches.touched_at,
        touches.touch_channel,
        touches.has_responded,
        touches.responded_at,
        {{ dbt.dateadd('day', var('campaign_attribution_days'), 'touches.touched_at') }} as attribution_ends_at
    from touches
    inner join identities
        on touches.customer_id = identities.source_id
    where not identities.is_internal_account
)

select * from final
