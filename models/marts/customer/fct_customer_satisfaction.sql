-- One row per customer with at least one valid service ticket opened by as_of_date:
-- ticket counts, complaint rate, resolution time and satisfaction. Satisfaction index =
-- mean perceived satisfaction / mean expected service (both 1-5): above 1, the service
-- beat what the customer expected.
with

tickets as (
    select
        identities.customer_key,
        tickets.ticket_id,
        tickets.ticket_category,
        tickets.is_closed,
        {{ periods_between('tickets.opened_at', 'tickets.closed_at', 'hour') }}
            as resolution_hours,
        tickets.satisfaction_score,
        tickets.expectation_score
    from {{ ref('stg_crm__service_tickets') }} as tickets
    inner join {{ ref('int_customers__identity_map') }} as identities
        on
            identities.source_system = 'crm'
            and tickets.customer_id = identities.source_id
    where
        tickets.is_valid
        and not identities.is_internal_account
        and cast(tickets.opened_at as date) <= {{ as_of_date() }}
),

final as (
    select
        customer_key,
        {{ as_of_date() }} as as_of_date,
        count(*) as tickets,
        count(case when ticket_category = 'complaint' then 1 end) as complaints,
        {{ safe_divide("count(case when ticket_category = 'complaint' then 1 end)", 'count(*)') }}
            as complaint_rate,
        count(case when is_closed then 1 end) as closed_tickets,
        avg(cast(resolution_hours as {{ type_double() }})) as mean_resolution_hours,
        avg(cast(satisfaction_score as {{ type_double() }})) as mean_satisfaction_score,
        avg(cast(expectation_score as {{ type_double() }})) as mean_expectation_score,
        {{ safe_divide('avg(satisfaction_score)', 'avg(expectation_score)') }} as satisfaction_index
    from tickets
    group by customer_key
)

select * from final
