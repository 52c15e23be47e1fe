with

tickets as (
    select
        customer_key,
        ticket_id,
        ticket_category,
        is_closed,
        resolution_hours,
        satisfaction_score,
        expectation_score
    from {{ ref('int_service_tickets__as_of') }}
    where customer_key is not null
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
        {{ round_to('avg(resolution_hours)', 6) }} as mean_resolution_hours,
        avg(cast(satisfaction_score as {{ type_double() }})) as mean_satisfaction_score,
        avg(cast(expectation_score as {{ type_double() }})) as mean_expectation_score,
        {{ safe_divide('avg(satisfaction_score)', 'avg(expectation_score)') }} as satisfaction_index
    from tickets
    group by customer_key
)

select * from final
