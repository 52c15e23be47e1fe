with

source as (
    {{ collapse_exact_duplicates(source('crm', 'campaign_touches'), [
        'touch_id', 'campaign_id', 'customer_id', 'touched_at', 'touch_channel', 'responded',
        'responded_at',
    ]) }}
),

renamed as (
    select
        cast(touch_id as {{ dbt.type_int() }}) as touch_id,
        cast(campaign_id as {{ dbt.type_int() }}) as campaign_id,
        cast(customer_id as {{ dbt.type_int() }}) as customer_id,
        {{ to_utc_timestamp('touched_at') }} as touched_at,
        lower(trim(touch_channel)) as touch_channel,
        coalesce(cast(responded as {{ dbt.type_boolean() }}), false) as has_responded,
        {{ to_utc_timestamp('responded_at') }} as responded_at,
        loaded_copies
    from source
),

validated as (
    select
        *,
        case
            when has_responded and responded_at is null then 'response_without_timestamp'
            when responded_at < touched_at then 'response_before_touch'
        end as rejection_reason
    from renamed
),

final as (
    select
        touch_id,
        campaign_id,
        customer_id,
        touched_at,
        touch_channel,
        has_responded,
        responded_at,
        rejection_reason is null as is_valid,
        rejection_reason,
        loaded_copies
    from validated
)

select * from final
