with

campaigns as (
    select
        campaign_id,
        starts_on,
        ends_on
    from {{ ref('int_campaigns__as_of') }}
),

touches as (
    select
        campaign_id,
        customer_key,
        has_responded
    from {{ ref('int_campaign_touches__as_of') }}
),

purchases as (
    select
        customer_key,
        ordered_on,
        recognized_net_revenue
    from {{ ref('int_orders__purchases') }}
),

-- Every customer known before the campaign, in their segment at the month end before it.
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
    inner join {{ ref('int_customers__state_by_date') }} as states
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

final as (
    select
        campaign_id,
        rfm_segment,
        count(case when was_contacted then 1 end) as contacted_customers,
        count(case when has_responded then 1 end) as responding_customers,
        -- means in double precision on every database (DuckDB's avg of a decimal is one already)
        avg(case when was_contacted then cast(spend as {{ type_double() }}) end) as contacted_mean_spend,
        avg(case when has_responded then cast(spend as {{ type_double() }}) end) as responder_mean_spend,
        avg(case when not was_contacted then cast(spend as {{ type_double() }}) end) as control_mean_spend
    from campaign_spend
    group by
        campaign_id,
        rfm_segment
)

select * from final
