-- Periodic snapshot, one row per customer and month: the customer's RFM segment, value
-- tier and lifecycle stage at the month's end (for as_of_date's month: at as_of_date).
-- Months start with the first month-end after sign-up.
with

states as (
    select * from {{ ref('int_customers__segments_by_date') }}
),

evaluation_dates as (
    select
        evaluation_date,
        month_start
    from {{ ref('int_calendar__evaluation_dates') }}
),

final as (
    select
        {{ composite_key(['states.customer_key', 'evaluation_dates.month_start']) }} as customer_month_id,
        states.customer_key,
        evaluation_dates.month_start,
        states.evaluation_date as state_as_of,
        states.purchases_to_date,
        cast(states.revenue_to_date as {{ type_money() }}) as revenue_to_date,
        cast(states.margin_to_date as {{ type_money() }}) as margin_to_date,
        states.days_since_last_purchase,
        states.rfm_segment,
        states.value_tier,
        states.lifecycle_stage,
        states.is_churned
    from states
    inner join evaluation_dates
        on states.evaluation_date = evaluation_dates.evaluation_date
)

select * from final
