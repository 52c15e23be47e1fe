with

touches as (
    select * from {{ ref('int_campaign_touches__resolved') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

final as (
    select
        touches.touch_id,
        touches.campaign_id,
        touches.customer_key,
        touches.touched_at,
        touches.touch_channel,
        coalesce(touches.has_responded and cast(touches.responded_at as date) <= as_of.as_of_date, false)
            as has_responded,
        case
            when cast(touches.responded_at as date) <= as_of.as_of_date then touches.responded_at
        end as responded_at,
        touches.attribution_ends_at
    from touches
    inner join as_of
        on cast(touches.touched_at as date) <= as_of.as_of_date
)

select * from final
