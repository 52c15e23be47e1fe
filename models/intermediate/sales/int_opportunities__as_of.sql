with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

usd_rates as (
    select
        rate_date,
        reporting_per_unit
    from {{ ref('int_exchange_rates__to_reporting') }}
    where currency_code = 'USD'
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.lead_id,
        opportunities.customer_id,
        opportunities.owner_sales_rep_id,
        opportunities.campaign_id,
        opportunities.source_channel_code,
        {{ to_money('opportunities.amount_usd * usd_rates.reporting_per_unit') }} as amount,
        opportunities.created_at
    from opportunities
    inner join as_of
        on cast(opportunities.created_at as date) <= as_of.as_of_date
    left join usd_rates
        on cast(opportunities.created_at as date) = usd_rates.rate_date
)

select * from final
