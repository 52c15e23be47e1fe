-- A table: the order lines' checks, the quarantine, the calendar and the customer resolution
-- all read it.
{{ config(materialized='table') }}

with

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

status_mappings as (
    select
        source_value,
        order_status
    from {{ ref('order_status_mappings') }}
),

channel_mappings as (
    select
        source_value,
        channel_code
    from {{ ref('channel_mappings') }}
),

-- An order is valued at its day's rate to the reporting currency, through the one conversion
-- every amount goes through: without a rate for its currency on its day (a gap in the rates,
-- or a date beyond them, such as a mistyped year), it cannot be valued.
rated_days as (
    select
        rate_date,
        currency_code
    from {{ ref('int_exchange_rates__to_reporting') }}
),

standardised as (
    select
        orders.order_id,
        orders.customer_id,
        orders.web_account_id,
        orders.ordered_at,
        orders.ordered_on,
        orders.had_utc_offset,
        orders.channel_source_value,
        case
            when nullif(trim(orders.channel_source_value), '') is null then '{{ var("unknown_code") }}'
            else coalesce(channel_mappings.channel_code, '{{ var("unknown_code") }}')
        end as channel_code,
        orders.store_id,
        orders.sales_rep_id,
        orders.campaign_id,
        orders.order_status_source_value,
        coalesce(status_mappings.order_status, '{{ var("unknown_code") }}') as order_status,
        orders.currency_code,
        orders.updated_at,
        orders.row_rejection_reason,
        orders.loaded_copies,
        nullif(trim(orders.channel_source_value), '') is not null
        and channel_mappings.channel_code is null as has_unmapped_channel,
        rated_days.rate_date is not null as has_exchange_rate
    from orders
    left join status_mappings
        on lower(trim(orders.order_status_source_value)) = status_mappings.source_value
    left join channel_mappings
        on lower(trim(orders.channel_source_value)) = channel_mappings.source_value
    left join rated_days
        on
            orders.currency_code = rated_days.currency_code
            and orders.ordered_on = rated_days.rate_date
),

-- The first failing rule wins, in this order: the spellings the mappings do not know, then
-- the rules staging checks on the header alone (row_rejection_reason), then the rate.
validated as (
    select
        *,
        coalesce(
            case
                when order_status = '{{ var("unknown_code") }}' then 'unmapped_order_status'
                when has_unmapped_channel then 'unmapped_channel'
            end,
            row_rejection_reason,
            case when not has_exchange_rate then 'no_exchange_rate' end
        ) as rejection_reason
    from standardised
),

final as (
    select
        order_id,
        customer_id,
        web_account_id,
        ordered_at,
        ordered_on,
        had_utc_offset,
        channel_code,
        channel_source_value,
        store_id,
        sales_rep_id,
        campaign_id,
        order_status,
        order_status_source_value,
        currency_code,
        updated_at,
        rejection_reason is null as is_valid,
        rejection_reason,
        loaded_copies
    from validated
)

select * from final
