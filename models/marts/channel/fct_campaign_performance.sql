-- One row per campaign: reach, response, attributed and influenced revenue, return on budget
-- and uplift, up to as_of_date. Definitions: doc block fct_campaign_performance
-- (models/marts/channel/_channel__docs.md).
with

campaigns as (
    select * from {{ ref('int_campaigns__as_of') }}
),

touches as (
    select * from {{ ref('int_campaign_touches__as_of') }}
),

purchases as (
    select
        customer_key,
        order_id,
        ordered_at,
        ordered_on,
        recognized_net_revenue,
        recognized_margin
    from {{ ref('int_orders__purchases') }}
),

reach as (
    select
        campaign_id,
        count(*) as touches,
        count(distinct customer_key) as customers_reached,
        count(case when has_responded then 1 end) as responses,
        count(distinct case when has_responded then customer_key end) as responding_customers
    from touches
    group by campaign_id
),

-- Every purchase inside the attribution window of a responding touch of a listed campaign
-- (so last touch never hands a purchase to a campaign this mart does not show).
touched_purchases as (
    select
        touches.campaign_id,
        touches.touched_at,
        purchases.order_id,
        purchases.recognized_net_revenue,
        purchases.recognized_margin
    from touches
    inner join campaigns
        on touches.campaign_id = campaigns.campaign_id
    inner join purchases
        on
            touches.customer_key = purchases.customer_key
            and touches.touched_at <= purchases.ordered_at
            and touches.attribution_ends_at > purchases.ordered_at
    where touches.has_responded
),

-- Influenced: each campaign counts every purchase in its windows once, so a purchase inside
-- two campaigns' windows counts for both (sums across campaigns overstate revenue).
influenced_orders as (
    select distinct
        campaign_id,
        order_id,
        recognized_net_revenue
    from touched_purchases
),

influenced as (
    select
        campaign_id,
        count(*) as influenced_orders,
        sum(recognized_net_revenue) as influenced_revenue
    from influenced_orders
    group by campaign_id
),

-- Attributed (last touch): a purchase belongs to the campaign of the latest responding touch
-- whose window holds it (equal times: the lower campaign id), so it counts once in all.
last_touches as (
    select
        campaign_id,
        order_id,
        recognized_net_revenue,
        recognized_margin,
        row_number() over (
            partition by order_id order by touched_at desc, campaign_id asc
        ) as touch_rank
    from touched_purchases
),

attributed as (
    select
        campaign_id,
        count(*) as attributed_orders,
        sum(recognized_net_revenue) as attributed_revenue,
        sum(recognized_margin) as attributed_margin
    from last_touches
    where touch_rank = 1
    group by campaign_id
),

-- Uplift: every customer known before the campaign, in their segment at the month end
-- before it, split into responders, other contacted customers and the non-contacted.
segment_dates as (
    select
        campaigns.campaign_id,
        max(evaluation_dates.evaluation_date) as segment_date
    from campaigns
    inner join {{ ref('int_calendar__evaluation_dates') }} as evaluation_dates
        on campaigns.starts_on > evaluation_dates.evaluation_date
    group by campaigns.campaign_id
),

campaign_customers as (
    select
        segment_dates.campaign_id,
        states.customer_key,
        coalesce(states.rfm_segment, 'unscored') as rfm_segment
    from segment_dates
    inner join {{ ref('int_customers__segments_by_date') }} as states
        on segment_dates.segment_date = states.evaluation_date
),

contact_status as (
    select
        campaign_id,
        customer_key,
        max(case when has_responded then 1 else 0 end) as responded
    from touches
    group by
        campaign_id,
        customer_key
),

-- Each campaign's spend per customer over its window, summed before it meets the customer
-- list: joining every customer of every campaign to their purchases first grew with
-- campaigns x customers x purchases.
window_spend as (
    select
        campaigns.campaign_id,
        purchases.customer_key,
        sum(purchases.recognized_net_revenue) as spend
    from campaigns
    inner join purchases
        on
            campaigns.starts_on <= purchases.ordered_on
            -- a running campaign (no end date yet) counts its spend up to as_of_date
            and {{ dbt.dateadd(
                'day', var('campaign_attribution_days') + 1, 'coalesce(campaigns.ends_on, ' ~ as_of_date() ~ ')'
            ) }}
            > purchases.ordered_on
    group by
        campaigns.campaign_id,
        purchases.customer_key
),

campaign_spend as (
    select
        campaign_customers.campaign_id,
        campaign_customers.customer_key,
        campaign_customers.rfm_segment,
        contact_status.customer_key is not null as was_contacted,
        coalesce(contact_status.responded, 0) = 1 as has_responded,
        coalesce(window_spend.spend, 0) as spend
    from campaign_customers
    left join contact_status
        on
            campaign_customers.campaign_id = contact_status.campaign_id
            and campaign_customers.customer_key = contact_status.customer_key
    left join window_spend
        on
            campaign_customers.campaign_id = window_spend.campaign_id
            and campaign_customers.customer_key = window_spend.customer_key
),

segment_spend as (
    select
        campaign_id,
        rfm_segment,
        count(case when was_contacted then 1 end) as contacted_customers,
        count(case when has_responded then 1 end) as responding_customers,
        avg(case when was_contacted then spend end) as contacted_mean_spend,
        avg(case when has_responded then spend end) as responder_mean_spend,
        avg(case when not was_contacted then spend end) as control_mean_spend
    from campaign_spend
    group by
        campaign_id,
        rfm_segment
),

uplift as (
    select
        campaign_id,
        {{ safe_divide(
            'sum(contacted_customers * (contacted_mean_spend - control_mean_spend))',
            'sum(case when control_mean_spend is not null then contacted_customers end)',
        ) }} as contacted_uplift_per_customer,
        {{ safe_divide(
            'sum(responding_customers * (responder_mean_spend - control_mean_spend))',
            'sum(case when control_mean_spend is not null then responding_customers end)',
        ) }} as responder_uplift_per_customer
    from segment_spend
    group by campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.channel_code,
        campaigns.target_segment,
        campaigns.starts_on,
        campaigns.ends_on,
        cast(campaigns.budget as {{ type_money() }}) as budget,
        coalesce(reach.touches, 0) as touches,
        coalesce(reach.customers_reached, 0) as customers_reached,
        coalesce(reach.responses, 0) as responses,
        coalesce(reach.responding_customers, 0) as responding_customers,
        {{ safe_divide('reach.responding_customers', 'reach.customers_reached') }} as response_rate,
        coalesce(attributed.attributed_orders, 0) as attributed_orders,
        cast(coalesce(attributed.attributed_revenue, 0) as {{ type_money() }}) as attributed_revenue,
        cast(coalesce(attributed.attributed_margin, 0) as {{ type_money() }}) as attributed_margin,
        coalesce(influenced.influenced_orders, 0) as influenced_orders,
        cast(coalesce(influenced.influenced_revenue, 0) as {{ type_money() }}) as influenced_revenue,
        {{ divide_money('campaigns.budget', 'reach.responses') }} as cost_per_response,
        -- a ratio: from the unrounded amounts, in double precision
        {{ safe_divide('coalesce(attributed.attributed_margin, 0) - campaigns.budget', 'campaigns.budget') }}
            as return_on_budget,
        {{ to_money('uplift.contacted_uplift_per_customer') }} as contacted_uplift_per_customer,
        {{ to_money('uplift.responder_uplift_per_customer') }} as responder_uplift_per_customer
    from campaigns
    left join reach
        on campaigns.campaign_id = reach.campaign_id
    left join attributed
        on campaigns.campaign_id = attributed.campaign_id
    left join influenced
        on campaigns.campaign_id = influenced.campaign_id
    left join uplift
        on campaigns.campaign_id = uplift.campaign_id
)

select * from final
