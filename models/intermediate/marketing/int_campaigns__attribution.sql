-- A table: the campaign mart and its tests read it (as a view, each re-ran it).
{{ config(materialized='table') }}

with

campaigns as (
    select campaign_id from {{ ref('int_campaigns__as_of') }}
),

touches as (
    select
        campaign_id,
        customer_key,
        touched_at,
        attribution_ends_at
    from {{ ref('int_campaign_touches__as_of') }}
    where has_responded
),

purchases as (
    select
        customer_key,
        order_id,
        ordered_at,
        recognized_net_revenue,
        recognized_margin
    from {{ ref('int_orders__purchases') }}
),

-- Every purchase inside the attribution window of a responding touch of a listed campaign
-- (so last touch never hands a purchase to a campaign the mart does not show).
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

-- Every campaign with an attributed purchase has it among its influenced ones.
final as (
    select
        influenced.campaign_id,
        coalesce(attributed.attributed_orders, 0) as attributed_orders,
        coalesce(attributed.attributed_revenue, 0) as attributed_revenue,
        coalesce(attributed.attributed_margin, 0) as attributed_margin,
        influenced.influenced_orders,
        influenced.influenced_revenue
    from influenced
    left join attributed
        on influenced.campaign_id = attributed.campaign_id
)

select * from final
