with

crm_customers as (
    select
        customer_id,
        email,
        phone
    from {{ ref('stg_crm__customers') }}
),

web_accounts as (
    select
        web_account_id,
        email,
        phone
    from {{ ref('stg_crm__web_accounts') }}
),

claimed_keys as (
    select
        'email' as identity_key_type,
        email as identity_key,
        customer_id
    from crm_customers
    where email is not null
    union all
    select
        'phone' as identity_key_type,
        phone as identity_key,
        customer_id
    from crm_customers
    where phone is not null
),

conflicts as (
    select
        identity_key_type,
        identity_key,
        count(distinct customer_id) as crm_customers,
        min(customer_id) as first_crm_customer_id,
        max(customer_id) as last_crm_customer_id
    from claimed_keys
    group by
        identity_key_type,
        identity_key
    having count(distinct customer_id) > 1
),

web_keys as (
    select
        'email' as identity_key_type,
        email as identity_key,
        web_account_id
    from web_accounts
    where email is not null
    union all
    select
        'phone' as identity_key_type,
        phone as identity_key,
        web_account_id
    from web_accounts
    where phone is not null
),

final as (
    select
        conflicts.identity_key_type,
        conflicts.identity_key,
        conflicts.crm_customers,
        conflicts.first_crm_customer_id,
        conflicts.last_crm_customer_id,
        count(web_keys.web_account_id) as web_accounts_left_apart
    from conflicts
    left join web_keys
        on
            conflicts.identity_key_type = web_keys.identity_key_type
            and conflicts.identity_key = web_keys.identity_key
    group by
        conflicts.identity_key_type,
        conflicts.identity_key,
        conflicts.crm_customers,
        conflicts.first_crm_customer_id,
        conflicts.last_crm_customer_id
)

select * from final
