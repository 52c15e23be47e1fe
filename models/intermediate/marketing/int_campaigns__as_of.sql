with

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
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
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.channel_code,
        campaigns.target_segment,
        campaigns.starts_on,
        case when campaigns.ends_on <= as_of.as_of_date then campaigns.ends_on end as ends_on,
        campaigns.ends_on > as_of.as_of_date as is_running,
        {{ to_money('campaigns.budget_usd * usd_rates.reporting_per_unit') }} as budget
    from campaigns
    inner join as_of
        on campaigns.starts_on <= as_of.as_of_date
    left join usd_rates
        on campaigns.starts_on = usd_rates.rate_date
)

select * from final
