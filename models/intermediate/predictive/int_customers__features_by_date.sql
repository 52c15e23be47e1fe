-- Built as running sums of dated events, each entering the sums at the first evaluation date on
-- or after its date (as int_customers__metrics_by_date builds the purchase state), so nothing
-- dated after T reaches T.

-- A table: the propensity models read it many times, and it is the biggest predictive input.
{{ config(materialized='table') }}

{#- The running sums, in one order for every step: each event arm sets the ones it changes
    (macro event_columns, 0 for the rest), then they are summed by date and run over time. -#}
{%- set event_sums = [
    'online_purchases', 'revenue', 'discounted_revenue', 'categories_bought',
    'recent_tickets', 'recent_complaints', 'complaints', 'poorly_served_tickets',
    'satisfaction_scores', 'satisfaction_score_sum', 'expectation_scores', 'expectation_score_sum',
    'touches', 'recent_touches', 'responses',
] %}

with

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

feature_dates as (
    select evaluation_dates.evaluation_date
    from {{ ref('int_calendar__evaluation_dates') }} as evaluation_dates
    cross join as_of
    where
        evaluation_dates.evaluation_date
        > cast({{ dbt.dateadd('month', -var('propensity_history_months'), 'as_of.as_of_date') }} as date)
),

-- The purchase state (recency, frequency, monetary, scores, tier, stage) at each feature date:
-- everyone at as_of_date, the history sample before (macro in_feature_history_sample), so the
-- table grows with the customers, not with customers x months.
states as (
    select segments.*
    from {{ ref('int_customers__state_by_date') }} as segments
    inner join feature_dates
        on segments.evaluation_date = feature_dates.evaluation_date
    cross join as_of
    where
        segments.evaluation_date = as_of.as_of_date
        or {{ in_feature_history_sample('segments.customer_number', ref('int_customers__as_of')) }}
),

-- customer_number (doc block customer_number) keys the running sums: sorting by it is cheaper
-- than by the text key. Every customer known on as_of_date has a state row on it.
customers as (
    select
        states.customer_key,
        states.customer_number,
        known_customers.signed_up_on,
        {{ in_feature_history_sample('states.customer_number', ref('int_customers__as_of')) }} as is_in_history_sample
    from states
    inner join as_of
        on states.evaluation_date = as_of.as_of_date
    inner join {{ ref('int_customers__as_of') }} as known_customers
        on states.customer_key = known_customers.customer_key
),

online_channels as (
    select channel_code
    from {{ ref('stg_crm__channels') }}
    where is_online
),

-- Dated events, one column per running sum. A "recent" count (tickets, complaints, touches in
-- the var propensity_recent_days days up to T) gets +1 on the event's date and -1 on the day
-- it leaves that window, if that day is not after as_of_date.
purchase_events as (
    select
        purchases.customer_key,
        purchases.ordered_on as event_on,
        {{ event_columns(event_sums, {
            'online_purchases': "case when online_channels.channel_code is not null then 1 else 0 end",
        }) }}
    from {{ ref('int_orders__purchases') }} as purchases
    left join online_channels
        on purchases.channel_code = online_channels.channel_code
),

-- The lines of purchases (completed orders), as fct_customer_loyalty counts price sensitivity.
-- Inlined into its two readers: written out once, its ten million rows at scale 500 cost more
-- than two scans of the lines.
purchase_lines as {{ not_materialized() }} (
    select
        customer_key,
        ordered_on,
        category_id,
        is_discounted,
        recognized_net_revenue
    from {{ ref('int_order_lines__as_of') }}
    where is_revenue
),

line_events as (
    select
        customer_key,
        ordered_on as event_on,
        {{ event_columns(event_sums, {
            'revenue': "sum(recognized_net_revenue)",
            'discounted_revenue': "sum(case when is_discounted then recognized_net_revenue else 0 end)",
        }) }}
    from purchase_lines
    group by
        customer_key,
        ordered_on
),

-- Category breadth grows on the first purchase in each category.
category_events as (
    select
        customer_key,
        min(ordered_on) as event_on,
        {{ event_columns(event_sums, {'categories_bought': "1"}) }}
    from purchase_lines
    group by
        customer_key,
        category_id
),

tickets as (
    select
        tickets.customer_key,
        tickets.opened_on,
        cast({{ dbt.dateadd('day', var('propensity_recent_days'), 'tickets.opened_on') }} as date)
            as leaves_window_on,
        cast(tickets.closed_at as date) as closed_on,
        case when tickets.ticket_category = 'complaint' then 1 else 0 end as is_complaint,
        tickets.satisfaction_score,
        tickets.expectation_score
    from {{ ref('int_service_tickets__as_of') }} as tickets
    where tickets.customer_key is not null
),

ticket_events as (
    select
        customer_key,
        opened_on as event_on,
        {{ event_columns(event_sums, {
            'recent_tickets': "1", 'recent_complaints': "is_complaint", 'complaints': "is_complaint",
        }) }}
    from tickets
    union all
    select
        tickets.customer_key,
        tickets.leaves_window_on as event_on,
        {{ event_columns(event_sums, {'recent_tickets': "-1", 'recent_complaints': "-tickets.is_complaint"}) }}
    from tickets
    cross join as_of
    where tickets.leaves_window_on <= as_of.as_of_date
    union all
    -- Scores are given at closing (int_service_tickets__as_of nulls those not known by as_of_date).
    select
        customer_key,
        closed_on as event_on,
        {{ event_columns(event_sums, {
            'poorly_served_tickets':
                "case when satisfaction_score <= " ~ var('poor_service_max_satisfaction') ~ " then 1 else 0 end",
            'satisfaction_scores': "case when satisfaction_score is not null then 1 else 0 end",
            'satisfaction_score_sum': "coalesce(satisfaction_score, 0)",
            'expectation_scores': "case when expectation_score is not null then 1 else 0 end",
            'expectation_score_sum': "coalesce(expectation_score, 0)",
        }) }}
    from tickets
    where closed_on is not null
),

touches as (
    select
        customer_key,
        cast(touched_at as date) as touched_on,
        cast({{ dbt.dateadd('day', var('propensity_recent_days'), 'cast(touched_at as date)') }} as date)
            as leaves_window_on,
        cast(responded_at as date) as responded_on
    from {{ ref('int_campaign_touches__as_of') }}
),

touch_events as (
    select
        customer_key,
        touched_on as event_on,
        {{ event_columns(event_sums, {'touches': "1", 'recent_touches': "1"}) }}
    from touches
    union all
    select
        touches.customer_key,
        touches.leaves_window_on as event_on,
        {{ event_columns(event_sums, {'recent_touches': "-1"}) }}
    from touches
    cross join as_of
    where touches.leaves_window_on <= as_of.as_of_date
    union all
    -- int_campaign_touches__as_of keeps a response only if it came in by as_of_date.
    select
        customer_key,
        responded_on as event_on,
        {{ event_columns(event_sums, {'responses': "1"}) }}
    from touches
    where responded_on is not null
),

events as (
    select * from purchase_events
    union all
    select * from line_events
    union all
    select * from category_events
    union all
    select * from ticket_events
    union all
    select * from touch_events
),

-- Evaluation dates are month ends before as_of_date and as_of_date itself, so the first one on
-- or after a day is its month's end, or as_of_date in as_of_date's month (as in
-- int_customers__metrics_by_date). A customer outside the history sample has a row at
-- as_of_date only: all their events change that one row. Customers signed up after as_of_date
-- drop out here.
event_changes as (
    select
        customers.customer_number,
        case
            when customers.is_in_history_sample
                then least(cast({{ dbt.last_day('events.event_on', 'month') }} as date), as_of.as_of_date)
            else as_of.as_of_date
        end as evaluation_date,
        1 as is_event,
        {{ each_column(event_sums, 'events.{c}') }}
    from events
    inner join customers
        on events.customer_key = customers.customer_key
    cross join as_of
),

-- Each customer x feature date, with no change of its own: the running sums are read there.
grid_rows as (
    select
        customer_number,
        evaluation_date,
        0 as is_event,
        {{ event_columns(event_sums, {}) }}
    from states
),

changes_by_date as (
    select
        customer_number,
        evaluation_date,
        min(is_event) = 0 as is_feature_date,
        {{ each_column(event_sums, 'sum({c}) as {c}') }}
    from (
        select * from event_changes
        union all
        select * from grid_rows
    ) as changes
    group by
        customer_number,
        evaluation_date
),

running_sums as (
    select
        customer_number,
        evaluation_date,
        is_feature_date,
        {{ each_column(event_sums, 'sum({c}) over running as {c}') }}
    from changes_by_date
    window running as (
        partition by customer_number
        order by evaluation_date
        rows between unbounded preceding and current row
    )
),

-- The purchase after the last one by T (purchases are numbered in time order): the churn label
-- asks whether it came within var churn_after_days days after T.
next_purchases as (
    select
        customer_key,
        purchase_number,
        ordered_on
    from {{ ref('int_orders__purchases') }}
),

final as (
    select
        states.customer_key,
        states.evaluation_date,
        states.purchases_to_date > 0 as is_buyer,
        states.is_churned,
        states.lifecycle_stage,
        states.value_tier,
        {{ periods_between('customers.signed_up_on', 'states.evaluation_date', 'day') }} as tenure_days,
        states.days_since_first_purchase,
        states.days_since_last_purchase,
        states.purchases_to_date,
        states.purchases_in_window,
        cast(states.revenue_to_date as {{ type_double() }}) as revenue_to_date,
        cast(states.margin_to_date as {{ type_double() }}) as margin_to_date,
        cast(states.revenue_in_window as {{ type_double() }}) as revenue_in_window,
        states.recency_score,
        states.frequency_score,
        states.monetary_score,
        states.margin_rank_share,
        states.mean_days_between_purchases,
        states.days_between_last_two_purchases,
        -- Above 1: the last gap was longer than the customer's usual one (buying slows down).
        {{ safe_divide('states.days_between_last_two_purchases', 'states.mean_days_between_purchases') }}
            as last_gap_ratio,
        -- Above 1: the customer is later than their usual gap (the 'declining' stage's measure).
        {{ safe_divide('states.days_since_last_purchase', 'states.mean_days_between_purchases') }}
            as overdue_ratio,
        {{ safe_divide('running_sums.online_purchases', 'states.purchases_to_date') }} as online_purchase_share,
        cast(running_sums.categories_bought as {{ dbt.type_bigint() }}) as categories_bought,
        {{ safe_divide('running_sums.discounted_revenue', 'running_sums.revenue') }} as discounted_revenue_share,
        cast(running_sums.recent_tickets as {{ dbt.type_bigint() }}) as recent_tickets,
        cast(running_sums.recent_complaints as {{ dbt.type_bigint() }}) as recent_complaints,
        -- Service failures to date, however long ago: a customer badly served once stays more
        -- likely to leave (unlike the recent counts, these never fall).
        cast(running_sums.complaints as {{ dbt.type_bigint() }}) as complaints_to_date,
        cast(running_sums.poorly_served_tickets as {{ dbt.type_bigint() }}) as poorly_served_tickets_to_date,
        {{ safe_divide('running_sums.satisfaction_score_sum', 'running_sums.satisfaction_scores') }}
            as mean_satisfaction_score,
        -- As fct_customer_satisfaction: mean perceived / mean expected service, over scored tickets.
        {{ safe_divide(
            safe_divide('running_sums.satisfaction_score_sum', 'running_sums.satisfaction_scores'),
            safe_divide('running_sums.expectation_score_sum', 'running_sums.expectation_scores'),
        ) }} as satisfaction_index,
        cast(running_sums.touches as {{ dbt.type_bigint() }}) as touches_to_date,
        cast(running_sums.recent_touches as {{ dbt.type_bigint() }}) as recent_touches,
        cast(running_sums.responses as {{ dbt.type_bigint() }}) as responses_to_date,
        {{ safe_divide('running_sums.responses', 'running_sums.touches') }} as response_rate_to_date,
        -- Null until T + churn_after_days has passed by as_of_date, and for prospects.
        case
            when
                states.purchases_to_date > 0
                and cast({{ dbt.dateadd('day', var('churn_after_days'), 'states.evaluation_date') }} as date)
                <= as_of.as_of_date
                then
                    next_purchases.ordered_on is null
                    or next_purchases.ordered_on
                    > cast({{ dbt.dateadd('day', var('churn_after_days'), 'states.evaluation_date') }} as date)
        end as churns_within_horizon
    from states
    inner join customers
        on states.customer_number = customers.customer_number
    inner join running_sums
        on
            states.customer_number = running_sums.customer_number
            and states.evaluation_date = running_sums.evaluation_date
            and running_sums.is_feature_date
    left join next_purchases
        on
            states.customer_key = next_purchases.customer_key
            and states.purchases_to_date + 1 = next_purchases.purchase_number
    cross join as_of
)

select * from final
