-- A table: several models read it (as a view, PostgreSQL re-ran its joins row by row).
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('int_orders__validated') }}
    where is_valid
),

identities as (
    select
        source_system,
        source_id,
        customer_key,
        is_internal_account
    from {{ ref('int_customers__identity_map') }}
),

final as (
    select
        orders.order_id,
        coalesce(crm_identity.customer_key, web_identity.customer_key) as customer_key,
        coalesce(crm_identity.is_internal_account, web_identity.is_internal_account, false) as is_internal_account,
        orders.ordered_at,
        orders.ordered_on,
        orders.channel_code,
        orders.store_id,
        orders.sales_rep_id,
        orders.campaign_id,
        orders.order_status,
        orders.currency_code,
        orders.updated_at
    from orders
    left join identities as crm_identity
        on
            crm_identity.source_system = 'crm'
            and orders.customer_id = crm_identity.source_id
    left join identities as web_identity
        on
            web_identity.source_system = 'web'
            and orders.web_account_id = web_identity.source_id
)

select * from final
