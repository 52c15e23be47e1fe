with

identities as (
    select * from {{ ref('int_customers__identity_map') }}
    where not is_internal_account
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
),

web_accounts as (
    select * from {{ ref('stg_crm__web_accounts') }}
),

web_by_customer as (
    select
        identities.customer_key,
        web_accounts.web_account_id,
        web_accounts.email,
        web_accounts.phone,
        web_accounts.first_name,
        web_accounts.last_name,
        web_accounts.country_code,
        web_accounts.registered_at,
        row_number() over (
            partition by identities.customer_key
            order by web_accounts.registered_at, web_accounts.web_account_id
        ) as registration_order
    from identities
    inner join web_accounts
        on identities.source_id = web_accounts.web_account_id
    where identities.source_system = 'web'
),

web_summary as (
    select
        customer_key,
        count(*) as web_account_count,
        min(registered_at) as first_registered_at
    from web_by_customer
    group by customer_key
),

first_web_account as (
    select * from web_by_customer
    where registration_order = 1
),

customer_keys as (
    select distinct
        customer_key,
        master_customer_id
    from identities
),

final as (
    select
        customer_keys.customer_key,
        customer_keys.master_customer_id as crm_customer_id,
        first_web_account.web_account_id as first_web_account_id,
        coalesce(crm_customers.first_name, first_web_account.first_name) as first_name,
        coalesce(crm_customers.last_name, first_web_account.last_name) as last_name,
        coalesce(crm_customers.email, first_web_account.email) as email,
        coalesce(crm_customers.phone, first_web_account.phone) as phone,
        crm_customers.birth_date,
        coalesce(crm_customers.gender, '{{ var("unknown_code") }}') as gender,
        crm_customers.income_band,
        crm_customers.education_level,
        crm_customers.marital_status,
        crm_customers.city,
        coalesce(crm_customers.region, '{{ var("unknown_code") }}') as region,
        coalesce(crm_customers.country_code, first_web_account.country_code) as country_code,
        coalesce(crm_customers.customer_type, 'individual') as customer_type,
        crm_customers.industry,
        coalesce(crm_customers.signup_channel_code, 'web') as signup_channel_code,
        case
            when crm_customers.signed_up_on is null then cast(web_summary.first_registered_at as date)
            when web_summary.first_registered_at is null then crm_customers.signed_up_on
            else least(crm_customers.signed_up_on, cast(web_summary.first_registered_at as date))
        end as signed_up_on,
        crm_customers.customer_id is not null as has_crm_record,
        coalesce(web_summary.web_account_count, 0) as web_account_count,
        case
            when crm_customers.customer_id is not null and web_summary.customer_key is not null then 'crm_and_web'
            when crm_customers.customer_id is not null then 'crm_only'
            else 'web_only'
        end as identity_sources
    from customer_keys
    left join crm_customers
        on customer_keys.master_customer_id = crm_customers.customer_id
    left join web_summary
        on customer_keys.customer_key = web_summary.customer_key
    left join first_web_account
        on customer_keys.customer_key = first_web_account.customer_key
)

select * from final
