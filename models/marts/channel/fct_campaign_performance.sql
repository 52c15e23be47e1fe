with

campaigns as (
    select * from {{ ref('int_campaigns__as_of') }}
),

touches as (
    select * from {{ ref('int_campaign_touches__as_of') }}
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

attribution as (
    select * from {{ ref('int_campaigns__attribution') }}
),

-- Uplift: per segment, the contacted (and the responders) against the non-contacted of the
-- same segment, weighted by the contacted customers of the segments that have a control.
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
    from {{ ref('int_campaigns__segment_spend') }}
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
        coalesce(attribution.attributed_orders, 0) as attributed_orders,
        cast(coalesce(attribution.attributed_revenue, 0) as {{ type_money() }}) as attributed_revenue,
        cast(coalesce(attribution.attributed_margin, 0) as {{ type_money() }}) as attributed_margin,
        coalesce(attribution.influenced_orders, 0) as influenced_orders,
        cast(coalesce(attribution.influenced_revenue, 0) as {{ type_money() }}) as influenced_revenue,
        {{ divide_money('campaigns.budget', 'reach.responses') }} as cost_per_response,
        -- a ratio: from the unrounded amounts, in double precision
        {{ safe_divide('coalesce(attribution.attributed_margin, 0) - campaigns.budget', 'campaigns.budget') }}
            as return_on_budget,
        {{ to_money('uplift.contacted_uplift_per_customer') }} as contacted_uplift_per_customer,
        {{ to_money('uplift.responder_uplift_per_customer') }} as responder_uplift_per_customer
    from campaigns
    left join reach
        on campaigns.campaign_id = reach.campaign_id
    left join attribution
        on campaigns.campaign_id = attribution.campaign_id
    left join uplift
        on campaigns.campaign_id = uplift.campaign_id
)

select * from final
