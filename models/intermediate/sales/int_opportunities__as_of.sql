-- The opportunities known on as_of_date: those opened on or before it. Their stage on that
-- date comes from int_opportunities__stage_history, which stops at as_of_date too.
with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.lead_id,
        opportunities.customer_id,
        opportunities.owner_sales_rep_id,
        opportunities.campaign_id,
        opportunities.source_channel_code,
        opportunities.amount_usd,
        opportunities.created_at
    from opportunities
    inner join as_of
        on cast(opportunities.created_at as date) <= as_of.as_of_date
)

select * from final
