with

tickets as (
    select * from {{ ref('stg_crm__service_tickets') }}
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

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

known as (
    select
        tickets.ticket_id,
        identities.customer_key,
        tickets.channel_code,
        tickets.ticket_category,
        tickets.priority,
        tickets.opened_at,
        tickets.closed_at,
        tickets.satisfaction_score,
        tickets.expectation_score,
        tickets.closed_at is not null
        and cast(tickets.closed_at as date) <= as_of.as_of_date as is_closed
    from tickets
    inner join as_of
        on cast(tickets.opened_at as date) <= as_of.as_of_date
    left join identities
        on tickets.customer_id = identities.source_id
    where not coalesce(identities.is_internal_account, false)
),

final as (
    select
        ticket_id,
        customer_key,
        channel_code,
        ticket_category,
        priority,
        opened_at,
        cast(opened_at as date) as opened_on,
        case when is_closed then closed_at end as closed_at,
        is_closed,
        -- Elapsed time, not hour boundaries crossed (10:59 -> 11:01 is 2 minutes).
        case
            when is_closed
                then {{ periods_between('opened_at', 'closed_at', 'second') }} / cast(3600 as {{ type_double() }})
        end as resolution_hours,
        case when is_closed then satisfaction_score end as satisfaction_score,
        case when is_closed then expectation_score end as expectation_score
    from known
)

select * from final
