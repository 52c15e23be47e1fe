-- Periodic snapshot, one row per customer and month: the customer's RFM segment, value
-- tier and lifecycle stage at the month's end (for as_of_date's month: at as_of_date).
-- Months start with the first month-end after sign-up.
with

states as (
    select
        customer_key,
        customer_number,
        evaluation_date,
        purchases_to_date,
        revenue_to_date,
        margin_to_date,
        days_since_last_purchase,
        rfm_segment,
        value_tier,
        lifecycle_stage,
        is_churned
    from {{ ref('int_customers__segments_by_date') }}
),

evaluation_dates as (
    select
        evaluation_date,
        month_start
    from {{ ref('int_calendar__evaluation_dates') }}
),

states_by_month as (
    select
        states.*,
        evaluation_dates.month_start
    from states
    inner join evaluation_dates
        on states.evaluation_date = evaluation_dates.evaluation_date
),

-- The previous month's state, computed once here for the transition and churn marts (each
-- re-sorting every customer month for lag() was a large share of the build at scale), by
-- the compact customer_number rather than the text key.
with_previous as (
    select
        states_by_month.*,
        lag(lifecycle_stage) over (partition by customer_number order by month_start) as previous_lifecycle_stage,
        lag(purchases_to_date) over (partition by customer_number order by month_start) as previous_purchases_to_date,
        lag(is_churned) over (partition by customer_number order by month_start) as was_churned
    from states_by_month
),

final as (
    select
        {{ composite_key(['customer_key', 'month_start']) }} as customer_month_id,
        customer_key,
        month_start,
        evaluation_date as state_as_of,
        purchases_to_date,
        cast(revenue_to_date as {{ type_money() }}) as revenue_to_date,
        cast(margin_to_date as {{ type_money() }}) as margin_to_date,
        days_since_last_purchase,
        rfm_segment,
        value_tier,
        lifecycle_stage,
        is_churned,
        previous_lifecycle_stage,
        previous_purchases_to_date,
        was_churned
    from with_previous
)

select * from final
