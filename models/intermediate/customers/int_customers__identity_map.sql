-- Every source identity (CRM customer, web-shop account) mapped to one unified customer.
--
-- Matching rule, in order:
--   1. a CRM customer is its own master record;
--   2. a web account matches the CRM customer with the same normalised email;
--   3. failing that, the CRM customer with the same normalised phone (E.164);
--   4. an unmatched web account is a customer of its own (web-only shopper).
-- When several CRM customers share an email or phone, the lowest customer_id wins, so the
-- result never depends on row order. Internal test accounts are kept here, flagged (a web
-- account inherits the flag of the CRM account it matches); the unified model drops them.
{%- set text = dbt.type_string() %}

with

crm_customers as (
    select
        customer_id,
        email,
        phone,
        is_internal_account
    from {{ ref('stg_crm__customers') }}
),

web_accounts as (
    select
        web_account_id,
        email,
        phone,
        is_internal_account
    from {{ ref('stg_crm__web_accounts') }}
),

crm_by_email as (
    select
        email,
        min(customer_id) as customer_id
    from crm_customers
    where email is not null
    group by email
),

crm_by_phone as (
    select
        phone,
        min(customer_id) as customer_id
    from crm_customers
    where phone is not null
    group by phone
),

crm_identities as (
    select
        'crm' as source_system,
        customer_id as source_id,
        customer_id as master_customer_id,
        'crm_master' as match_rule,
        is_internal_account
    from crm_customers
),

web_identities as (
    select
        'web' as source_system,
        web_accounts.web_account_id as source_id,
        coalesce(crm_by_email.customer_id, crm_by_phone.customer_id) as master_customer_id,
        case
            when crm_by_email.customer_id is not null then 'email'
            when crm_by_phone.customer_id is not null then 'phone'
            else 'web_only'
        end as match_rule,
        web_accounts.is_internal_account
    from web_accounts
    left join crm_by_email
        on web_accounts.email = crm_by_email.email
    left join crm_by_phone
        on web_accounts.phone = crm_by_phone.phone
),

identities as (
    select * from crm_identities
    union all
    select * from web_identities
),

final as (
    select
        identities.source_system,
        identities.source_id,
        case
            when identities.master_customer_id is not null
                then {{ dbt.hash(dbt.concat(["'crm:'", "cast(identities.master_customer_id as " ~ text ~ ")"])) }}
            else {{ dbt.hash(dbt.concat(["'web:'", "cast(identities.source_id as " ~ text ~ ")"])) }}
        end as customer_key,
        identities.master_customer_id,
        identities.match_rule,
        identities.is_internal_account or coalesce(masters.is_internal_account, false) as is_internal_account
    from identities
    left join crm_customers as masters
        on identities.master_customer_id = masters.customer_id
)

select * from final
