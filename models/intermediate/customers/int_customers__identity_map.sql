-- The matching rules and their order: doc block int_customers__identity_map (_int_customers__docs.md).

-- A table: several models read it (as a view, PostgreSQL re-ran its joins row by row).
{{ config(materialized='table') }}

{%- set text = dbt.type_string() %}

with

-- The secret salt, read from the session (macro customer_key_salt), never written into SQL.
key_salt as (
    select {{ customer_key_salt() }} as salt
),

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
    having count(distinct customer_id) = 1
),

crm_by_phone as (
    select
        phone,
        min(customer_id) as customer_id
    from crm_customers
    where phone is not null
    group by phone
    having count(distinct customer_id) = 1
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

web_matched_to_crm as (
    select
        web_accounts.web_account_id,
        web_accounts.email,
        web_accounts.phone,
        web_accounts.is_internal_account,
        coalesce(crm_by_email.customer_id, crm_by_phone.customer_id) as master_customer_id,
        case
            when crm_by_email.customer_id is not null then 'email'
            when crm_by_phone.customer_id is not null then 'phone'
        end as match_rule
    from web_accounts
    left join crm_by_email
        on web_accounts.email = crm_by_email.email
    left join crm_by_phone
        on web_accounts.phone = crm_by_phone.phone
),

-- Web accounts no CRM customer claims: the same shopper may have registered twice.
unmatched_web as (
    select
        web_account_id,
        email,
        phone,
        -- an account without an email is its own email group
        coalesce(
            min(case when email is not null then web_account_id end) over (partition by email),
            web_account_id
        ) as email_group_id
    from web_matched_to_crm
    where master_customer_id is null
),

unmatched_web_phone_groups as (
    select
        web_account_id,
        email_group_id,
        coalesce(
            min(case when phone is not null then email_group_id end) over (partition by phone),
            email_group_id
        ) as phone_group_id
    from unmatched_web
),

-- One more hop, so an email group whose first account is pulled into a phone group
-- follows it there (chains longer than email -> phone -> email stay apart).
unmatched_web_grouped as (
    select
        web_groups.web_account_id,
        least(web_groups.phone_group_id, group_leaders.phone_group_id) as master_web_account_id
    from unmatched_web_phone_groups as web_groups
    inner join unmatched_web_phone_groups as group_leaders
        on web_groups.email_group_id = group_leaders.web_account_id
),

web_identities as (
    select
        'web' as source_system,
        web_matched_to_crm.web_account_id as source_id,
        web_matched_to_crm.master_customer_id,
        unmatched_web_grouped.master_web_account_id,
        case
            when web_matched_to_crm.master_customer_id is not null then web_matched_to_crm.match_rule
            when unmatched_web_grouped.master_web_account_id = web_matched_to_crm.web_account_id then 'web_only'
            else 'web_account'
        end as match_rule,
        web_matched_to_crm.is_internal_account
    from web_matched_to_crm
    left join unmatched_web_grouped
        on web_matched_to_crm.web_account_id = unmatched_web_grouped.web_account_id
),

identities as (
    select
        source_system,
        source_id,
        master_customer_id,
        cast(null as {{ dbt.type_int() }}) as master_web_account_id,
        match_rule,
        is_internal_account
    from crm_identities
    union all
    select
        source_system,
        source_id,
        master_customer_id,
        master_web_account_id,
        match_rule,
        is_internal_account
    from web_identities
),

final as (
    select
        identities.source_system,
        identities.source_id,
        {%- set crm_id = "cast(identities.master_customer_id as " ~ text ~ ")" %}
        {%- set web_id = "cast(identities.master_web_account_id as " ~ text ~ ")" %}
        case
            when identities.master_customer_id is not null
                then {{ dbt.hash(dbt.concat(["key_salt.salt", "'crm:'", crm_id])) }}
            else {{ dbt.hash(dbt.concat(["key_salt.salt", "'web:'", web_id])) }}
        end as customer_key,
        identities.master_customer_id,
        identities.master_web_account_id,
        identities.match_rule,
        identities.is_internal_account or coalesce(masters.is_internal_account, false) as is_internal_account
    from identities
    cross join key_salt
    left join crm_customers as masters
        on identities.master_customer_id = masters.customer_id
)

select * from final
