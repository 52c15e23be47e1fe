-- Built from changes, not by joining every date to every earlier purchase (which grew with
-- months x purchases and ran out of memory at a million customers). Each purchase is a
-- change at the first evaluation date on or after it, and for the RFM window a reverse
-- change at the first evaluation date it has left the window by. Running sums over a
-- customer's changes give the state after each change; each state then holds for every
-- evaluation date until the next change. Only the changes are sorted, not customer x date.
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}
        delete from {{ this }}
        where evaluation_date not in (select evaluation_date from {{ ref('int_calendar__evaluation_dates') }})
    {% endif %}",
    **replace_by_key('evaluation_date')
) }}

with

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

-- customer_number (doc block customer_number): a compact, stable stand-in for customer_key, in
-- key order. The windows and joins below run over every customer's changes and dates, and
-- sorting and matching 32-character keys was most of their cost at a million customers.
customers as (
    select
        customer_key,
        {{ key_number('customer_key') }} as customer_number,
        signed_up_on
    from {{ ref('int_customers__as_of') }}
),

purchases as (
    select
        customers.customer_number,
        purchases.ordered_on,
        purchases.recognized_net_revenue,
        purchases.recognized_margin,
        purchases.purchase_number,
        purchases.days_since_previous_purchase,
        cast({{ dbt.dateadd('day', var('rfm_window_days'), 'purchases.ordered_on') }} as date) as leaves_window_on,
        {{ row_fingerprint([
            'purchases.customer_key', 'purchases.ordered_on', 'purchases.recognized_net_revenue',
            'purchases.recognized_margin', 'purchases.purchase_number', 'purchases.days_since_previous_purchase',
        ]) }} as fingerprint
    from {{ ref('int_orders__purchases') }} as purchases
    -- A customer who signs up after as_of_date is not yet in the state.
    inner join customers
        on purchases.customer_key = customers.customer_key
),

-- Evaluation dates are the month ends before as_of_date and as_of_date itself, so the first
-- one on or after a day is its month's end, or as_of_date in as_of_date's month.
purchase_changes as (
    select
        purchases.customer_number,
        least(cast({{ dbt.last_day('purchases.ordered_on', 'month') }} as date), as_of.as_of_date)
            as evaluation_date,
        1 as purchases,
        purchases.recognized_net_revenue as revenue,
        purchases.recognized_margin as margin,
        1 as window_purchases,
        purchases.recognized_net_revenue as window_revenue,
        purchases.fingerprint
    from purchases
    cross join as_of
),

window_exits as (
    select
        purchases.customer_number,
        least(cast({{ dbt.last_day('purchases.leaves_window_on', 'month') }} as date), as_of.as_of_date)
            as evaluation_date,
        0 as purchases,
        0 as revenue,
        0 as margin,
        -1 as window_purchases,
        -purchases.recognized_net_revenue as window_revenue,
        -- Nothing of its own: the purchase's share already reaches every date from its own on.
        0 as fingerprint
    from purchases
    cross join as_of
    where purchases.leaves_window_on <= as_of.as_of_date
),

-- Every customer starts with an empty state at the first evaluation date on or after sign-up.
sign_ups as (
    select
        customers.customer_number,
        least(cast({{ dbt.last_day('customers.signed_up_on', 'month') }} as date), as_of.as_of_date)
            as evaluation_date,
        0 as purchases,
        0 as revenue,
        0 as margin,
        0 as window_purchases,
        0 as window_revenue,
        {{ row_fingerprint(['customers.customer_key', 'customers.signed_up_on']) }} as fingerprint
    from customers
    cross join as_of
),

changes as (
    select * from purchase_changes
    union all
    select * from window_exits
    union all
    select * from sign_ups
),

changes_by_date as (
    select
        customer_number,
        evaluation_date,
        sum(purchases) as purchases,
        sum(revenue) as revenue,
        sum(margin) as margin,
        sum(window_purchases) as window_purchases,
        sum(window_revenue) as window_revenue,
        sum(fingerprint) as fingerprint
    from changes
    group by
        customer_number,
        evaluation_date
),

-- A date's fingerprint sums every change on or before it: a change moves the fingerprint of its
-- own date and of every later one, the dates whose rows it changes.
date_fingerprints as (
    select
        evaluation_dates.evaluation_date,
        {{ code_fingerprint() }} + sum(coalesce(fingerprints.fingerprint, 0)) over (
            order by evaluation_dates.evaluation_date
            rows between unbounded preceding and current row
        ) as input_fingerprint
    from {{ ref('int_calendar__evaluation_dates') }} as evaluation_dates
    left join (
        select
            evaluation_date,
            sum(fingerprint) as fingerprint
        from changes_by_date
        group by evaluation_date
    ) as fingerprints
        on evaluation_dates.evaluation_date = fingerprints.evaluation_date
),

-- The dates to build: all of them, or in an incremental run those not already built from the
-- same input.
evaluation_dates as (
    select
        date_fingerprints.evaluation_date,
        date_fingerprints.input_fingerprint
    from date_fingerprints
    {{ not_yet_built('date_fingerprints', 'evaluation_date') }}
),

-- The state after each change, and the date of the customer's next change. Purchases are
-- numbered in time order (int_orders__enriched), so the state's last purchase is the one
-- numbered purchases_to_date.
states as (
    select
        customer_number,
        evaluation_date as changed_on,
        lead(evaluation_date) over (partition by customer_number order by evaluation_date) as next_changed_on,
        sum(purchases) over running as purchases,
        sum(revenue) over running as revenue,
        sum(margin) over running as margin,
        sum(window_purchases) over running as window_purchases,
        sum(window_revenue) over running as window_revenue
    from changes_by_date
    window running as (
        partition by customer_number
        order by evaluation_date
        rows between unbounded preceding and current row
    )
),

described_states as (
    select
        customers.customer_key,
        states.customer_number,
        customers.signed_up_on,
        states.changed_on,
        states.next_changed_on,
        cast(states.purchases as {{ dbt.type_bigint() }}) as purchases_to_date,
        first_purchase.ordered_on as first_purchase_on,
        last_purchase.ordered_on as last_purchase_on,
        cast(states.revenue as {{ type_money() }}) as revenue_to_date,
        cast(states.margin as {{ type_money() }}) as margin_to_date,
        cast(states.window_purchases as {{ dbt.type_bigint() }}) as purchases_in_window,
        cast(states.window_revenue as {{ type_money() }}) as revenue_in_window,
        case
            when states.purchases >= 2
                then {{ safe_divide(
                    periods_between('first_purchase.ordered_on', 'last_purchase.ordered_on', 'day'),
                    'states.purchases - 1',
                ) }}
        end as mean_days_between_purchases,
        last_purchase.days_since_previous_purchase as days_between_last_two_purchases
    from states
    inner join customers
        on states.customer_number = customers.customer_number
    left join purchases as first_purchase
        on
            states.customer_number = first_purchase.customer_number
            and first_purchase.purchase_number = 1
            and states.purchases >= 1
    left join purchases as last_purchase
        on
            states.customer_number = last_purchase.customer_number
            and states.purchases = last_purchase.purchase_number
),

final as (
    select
        described_states.customer_key,
        described_states.customer_number,
        evaluation_dates.evaluation_date,
        described_states.purchases_to_date,
        described_states.first_purchase_on,
        described_states.last_purchase_on,
        {{ periods_between('described_states.last_purchase_on', 'evaluation_dates.evaluation_date', 'day') }}
            as days_since_last_purchase,
        {{ periods_between('described_states.first_purchase_on', 'evaluation_dates.evaluation_date', 'day') }}
            as days_since_first_purchase,
        described_states.revenue_to_date,
        described_states.margin_to_date,
        described_states.purchases_in_window,
        described_states.revenue_in_window,
        described_states.mean_days_between_purchases,
        described_states.days_between_last_two_purchases,
        evaluation_dates.input_fingerprint
    from described_states
    inner join evaluation_dates
        on
            described_states.changed_on <= evaluation_dates.evaluation_date
            and (
                described_states.next_changed_on > evaluation_dates.evaluation_date
                or described_states.next_changed_on is null
            )
            -- A purchase before sign-up (a web order before the CRM record) counts from the
            -- first date the customer appears.
            and described_states.signed_up_on <= evaluation_dates.evaluation_date
)

select * from final
