with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

final as (
    select
        leads.lead_id,
        leads.created_at,
        leads.source_channel_code,
        leads.campaign_id,
        leads.owner_sales_rep_id,
        case
            when leads.lead_status = 'converted' and cast(leads.converted_at as date) > as_of.as_of_date
                then 'qualified'
            else leads.lead_status
        end as lead_status,
        case
            when cast(leads.converted_at as date) <= as_of.as_of_date then leads.converted_customer_id
        end as converted_customer_id,
        case
            when cast(leads.converted_at as date) <= as_of.as_of_date then leads.converted_at
        end as converted_at
    from leads
    inner join as_of
        on cast(leads.created_at as date) <= as_of.as_of_date
)

select * from final
