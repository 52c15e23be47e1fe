{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}
        delete from {{ this }}
        where month_start not in (select month_start from {{ ref('int_calendar__evaluation_dates') }})
    {% endif %}",
    **replace_by_key('month_start')
) }}

with

evaluation_dates as (
    select
        evaluation_date,
        month_start
    from {{ ref('int_calendar__evaluation_dates') }}
),

-- A month's fingerprint: its state's and the previous month's, and this model's code.
month_fingerprints as (
    select
        evaluation_dates.evaluation_date,
        evaluation_dates.month_start,
        cast(
            state_dates.input_fingerprint
            + 2 * coalesce(lag(state_dates.input_fingerprint) over (order by evaluation_dates.evaluation_date), 0)
            + {{ code_fingerprint() }}
            as {{ dbt.type_bigint() }}
        ) as input_fingerprint
    from evaluation_dates
    inner join (
        select distinct
            evaluation_date,
            input_fingerprint
        from {{ ref('int_customers__state_by_date') }}
    ) as state_dates
        on evaluation_dates.evaluation_date = state_dates.evaluation_date
),

-- The months to build (all, or in an incremental run those not already built from the same
-- input), and the month before each: its state fills the previous-month columns.
months_to_build as (
    select
        month_fingerprints.evaluation_date,
        month_fingerprints.month_start,
        month_fingerprints.input_fingerprint
    from month_fingerprints
    {{ not_yet_built('month_fingerprints', 'month_start') }}
),

months_read as (
    select month_start from months_to_build
    union
    select cast({{ dbt.dateadd('month', -1, 'month_start') }} as date) from months_to_build
),

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
    from {{ ref('int_customers__state_by_date') }}
),

states_by_month as (
    select
        states.*,
        evaluation_dates.month_start
    from states
    inner join evaluation_dates
        on states.evaluation_date = evaluation_dates.evaluation_date
    inner join months_read
        on evaluation_dates.month_start = months_read.month_start
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

-- Text columns are cast to one string type (text in the contract): an incremental run compares
-- this select with the table its contract created, and PostgreSQL tells varchar from text.
final as (
    select
        cast(
            {{ composite_key(['with_previous.customer_key', 'with_previous.month_start']) }}
            as {{ dbt.type_string() }}
        ) as customer_month_id,
        cast(with_previous.customer_key as {{ dbt.type_string() }}) as customer_key,
        with_previous.month_start,
        with_previous.evaluation_date as state_as_of,
        with_previous.purchases_to_date,
        cast(with_previous.revenue_to_date as {{ type_money() }}) as revenue_to_date,
        cast(with_previous.margin_to_date as {{ type_money() }}) as margin_to_date,
        with_previous.days_since_last_purchase,
        cast(with_previous.rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(with_previous.value_tier as {{ dbt.type_string() }}) as value_tier,
        cast(with_previous.lifecycle_stage as {{ dbt.type_string() }}) as lifecycle_stage,
        with_previous.is_churned,
        cast(with_previous.previous_lifecycle_stage as {{ dbt.type_string() }}) as previous_lifecycle_stage,
        with_previous.previous_purchases_to_date,
        with_previous.was_churned,
        months_to_build.input_fingerprint
    from with_previous
    inner join months_to_build
        on with_previous.month_start = months_to_build.month_start
)

select * from final
