-- One row per month, service channel and ticket category up to as_of_date: tickets
-- opened, closed, complaints share, mean resolution hours and satisfaction of the tickets
-- opened that month.
with

tickets as (
    select
        cast({{ dbt.date_trunc('month', 'opened_on') }} as date) as month_start,
        channel_code,
        ticket_category,
        is_closed,
        resolution_hours,
        satisfaction_score,
        expectation_score
    from {{ ref('int_service_tickets__as_of') }}
),

final as (
    select
        {{ composite_key(['month_start', 'channel_code', 'ticket_category']) }} as service_load_id,
        month_start,
        channel_code,
        ticket_category,
        count(*) as tickets_opened,
        count(case when is_closed then 1 end) as tickets_closed,
        {{ round_to('avg(resolution_hours)', 6) }} as mean_resolution_hours,
        avg(cast(satisfaction_score as {{ type_double() }})) as mean_satisfaction_score,
        {{ safe_divide('avg(satisfaction_score)', 'avg(expectation_score)') }} as satisfaction_index
    from tickets
    group by
        month_start,
        channel_code,
        ticket_category
)

select * from final
