with

customers as (
    select * from {{ ref('int_customers__as_of') }}
),

current_state as (
    select * from {{ ref('int_customers__state_as_of') }}
),

preferred_channels as (
    select
        customer_key,
        channel_code
    from {{ ref('int_customers__channel_usage') }}
    where channel_rank = 1
),

final as (
    select
        customers.customer_key,
        customers.identity_sources,
        customers.has_crm_record,
        customers.web_account_count,
        customers.customer_type,
        customers.gender,
        {{ age_band('customers.birth_date', as_of_date()) }} as age_band,
        customers.income_band,
        customers.education_level,
        customers.marital_status,
        customers.industry,
        customers.city,
        customers.region,
        customers.country_code,
        customers.signup_channel_code,
        customers.signed_up_on,
        {{ periods_between('customers.signed_up_on', as_of_date(), 'day') }}
            as tenure_days,
        current_state.first_purchase_on,
        current_state.last_purchase_on,
        coalesce(current_state.purchases_to_date, 0) as purchases_to_date,
        cast(coalesce(current_state.revenue_to_date, 0) as {{ type_money() }}) as revenue_to_date,
        cast(coalesce(current_state.margin_to_date, 0) as {{ type_money() }}) as margin_to_date,
        preferred_channels.channel_code as preferred_channel_code,
        current_state.rfm_cell,
        current_state.rfm_segment,
        current_state.value_tier,
        coalesce(current_state.lifecycle_stage, 'prospect') as lifecycle_stage,
        coalesce(current_state.is_churned, false) as is_churned,
        current_state.churned_on,
        {{ as_of_date() }} as as_of_date
    from customers
    left join current_state
        on customers.customer_key = current_state.customer_key
    left join preferred_channels
        on customers.customer_key = preferred_channels.customer_key
)

select * from final
