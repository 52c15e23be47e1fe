-- A table: the campaign mart and its tests read it (as a view, each re-ran it: its three tests
-- took 20 s at a million customers).
{{ config(materialized='table') }}

with

campaigns as (
    select
        campaign_id,
        starts_on,
        ends_on
    from {{ ref('int_campaigns__as_of') }}
),

-- Customers are matched by customer_number (doc block customer_number), the number
-- int_customers__state_by_date carries: joining and grouping tens of millions of rows by the
-- 32-character key was most of this model's time and memory at a million customers.
touches as (
    select
        campaign_id,
        {{ key_number('customer_key') }} as customer_number,
        has_responded
    from {{ ref('int_campaign_touches__as_of') }}
),

purchases as (
    select
        {{ key_number('customer_key') }} as customer_number,
        ordered_on,
        recognized_net_revenue
    from {{ ref('int_orders__purchases') }}
),

-- Every customer known before the campaign is in their segment at the month end before it.
segment_dates as (
    select
        campaigns.campaign_id,
        max(evaluation_dates.evaluation_date) as segment_date
    from campaigns
    inner join {{ ref('int_calendar__evaluation_dates') }} as evaluation_dates
        on campaigns.starts_on > evaluation_dates.evaluation_date
    group by campaigns.campaign_id
),

-- The customers of each such month end, once per date: campaigns starting in the same month
-- share them. Pairing every campaign with every customer grew with campaigns x customers (30
-- s at a million customers); the non-contacted are counted here instead, and their spend is the
-- segment's less the contacted's.
segment_members as (
    select
        states.evaluation_date as segment_date,
        states.customer_number,
        coalesce(states.rfm_segment, 'unscored') as rfm_segment
    from {{ ref('int_customers__state_by_date') }} as states
    where states.evaluation_date in (select segment_dates.segment_date from segment_dates)
),

segment_sizes as (
    select
        segment_date,
        rfm_segment,
        count(*) as customers
    from segment_members
    group by
        segment_date,
        rfm_segment
),

contact_status as (
    select
        campaign_id,
        customer_number,
        max(case when has_responded then 1 else 0 end) as responded
    from touches
    group by
        campaign_id,
        customer_number
),

-- Each campaign's spend per customer over its window.
window_spend as (
    select
        campaigns.campaign_id,
        purchases.customer_number,
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
        purchases.customer_number
),

-- The window's spend of every customer of the segment (contacted or not).
segment_spend as (
    select
        segment_dates.campaign_id,
        segment_members.rfm_segment,
        sum(window_spend.spend) as spend
    from window_spend
    inner join segment_dates
        on window_spend.campaign_id = segment_dates.campaign_id
    inner join segment_members
        on
            segment_dates.segment_date = segment_members.segment_date
            and window_spend.customer_number = segment_members.customer_number
    group by
        segment_dates.campaign_id,
        segment_members.rfm_segment
),

-- The contacted customers known at the segment date (a touch of anyone else is not counted).
contacted as (
    select
        segment_dates.campaign_id,
        segment_members.rfm_segment,
        contact_status.responded = 1 as has_responded,
        coalesce(window_spend.spend, 0) as spend
    from contact_status
    inner join segment_dates
        on contact_status.campaign_id = segment_dates.campaign_id
    inner join segment_members
        on
            segment_dates.segment_date = segment_members.segment_date
            and contact_status.customer_number = segment_members.customer_number
    left join window_spend
        on
            contact_status.campaign_id = window_spend.campaign_id
            and contact_status.customer_number = window_spend.customer_number
),

contacted_by_segment as (
    select
        campaign_id,
        rfm_segment,
        count(*) as contacted_customers,
        count(case when has_responded then 1 end) as responding_customers,
        sum(spend) as spend,
        -- means in double precision on every database (DuckDB's avg of a decimal is one already)
        avg(cast(spend as {{ type_double() }})) as contacted_mean_spend,
        avg(case when has_responded then cast(spend as {{ type_double() }}) end) as responder_mean_spend
    from contacted
    group by
        campaign_id,
        rfm_segment
),

final as (
    select
        segment_dates.campaign_id,
        segment_sizes.rfm_segment,
        coalesce(contacted_by_segment.contacted_customers, 0) as contacted_customers,
        coalesce(contacted_by_segment.responding_customers, 0) as responding_customers,
        contacted_by_segment.contacted_mean_spend,
        contacted_by_segment.responder_mean_spend,
        -- The non-contacted's mean: the segment's spend less the contacted's, over the rest of
        -- its customers (null when every customer was contacted).
        {{ safe_divide(
            'coalesce(segment_spend.spend, 0) - coalesce(contacted_by_segment.spend, 0)',
            'segment_sizes.customers - coalesce(contacted_by_segment.contacted_customers, 0)',
        ) }} as control_mean_spend
    from segment_dates
    inner join segment_sizes
        on segment_dates.segment_date = segment_sizes.segment_date
    left join contacted_by_segment
        on
            segment_dates.campaign_id = contacted_by_segment.campaign_id
            and segment_sizes.rfm_segment = contacted_by_segment.rfm_segment
    left join segment_spend
        on
            segment_dates.campaign_id = segment_spend.campaign_id
            and segment_sizes.rfm_segment = segment_spend.rfm_segment
)

select * from final
