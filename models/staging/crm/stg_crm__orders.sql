with

source as (
    {{ collapse_exact_duplicates(source('crm', 'orders'), [
        'order_id', 'customer_id', 'web_account_id', 'ordered_at', 'channel', 'store_id',
        'sales_rep_id', 'campaign_id', 'order_status', 'currency_code', 'updated_at',
    ]) }}
),

status_mappings as (
    select
        source_value,
        order_status
    from {{ ref('order_status_mappings') }}
),

-- An order converts to the reporting currency at its day's rates: without its own
-- currency's rate and the reporting currency's rate for that day (a missing rate, or a
-- date beyond the rates table, such as a mistyped year), it cannot be valued.
rates as (
    select
        rate_date,
        currency_code
    from {{ ref('stg_crm__exchange_rates') }}
),

channel_mappings as (
    select
        source_value,
        channel_code
    from {{ ref('channel_mappings') }}
),

standardised as (
    select
        cast(source.order_id as {{ dbt.type_int() }}) as order_id,
        cast(source.customer_id as {{ dbt.type_int() }}) as customer_id,
        cast(source.web_account_id as {{ dbt.type_int() }}) as web_account_id,
        {{ to_utc_timestamp('source.ordered_at') }} as ordered_at,
        {{ has_utc_offset('source.ordered_at') }} as had_utc_offset,
        source.channel as channel_source_value,
        case
            when nullif(trim(source.channel), '') is null then '{{ var("unknown_code") }}'
            else coalesce(channel_mappings.channel_code, '{{ var("unknown_code") }}')
        end as channel_code,
        cast(source.store_id as {{ dbt.type_int() }}) as store_id,
        cast(source.sales_rep_id as {{ dbt.type_int() }}) as sales_rep_id,
        cast(source.campaign_id as {{ dbt.type_int() }}) as campaign_id,
        source.order_status as order_status_source_value,
        coalesce(status_mappings.order_status, '{{ var("unknown_code") }}') as order_status,
        upper(trim(source.currency_code)) as currency_code,
        {{ to_utc_timestamp('source.updated_at') }} as updated_at,
        source.loaded_copies,
        nullif(trim(source.channel), '') is not null
        and channel_mappings.channel_code is null as has_unmapped_channel,
        order_rates.rate_date is not null and reporting_rates.rate_date is not null as has_exchange_rate
    from source
    left join status_mappings
        on lower(trim(source.order_status)) = status_mappings.source_value
    left join channel_mappings
        on lower(trim(source.channel)) = channel_mappings.source_value
    left join rates as order_rates
        on
            upper(trim(source.currency_code)) = order_rates.currency_code
            and cast({{ to_utc_timestamp('source.ordered_at') }} as date) = order_rates.rate_date
    left join rates as reporting_rates
        on
            reporting_rates.currency_code = '{{ var("reporting_currency") }}'
            and cast({{ to_utc_timestamp('source.ordered_at') }} as date) = reporting_rates.rate_date
),

validated as (
    select
        *,
        case
            when order_status = '{{ var("unknown_code") }}' then 'unmapped_order_status'
            when has_unmapped_channel then 'unmapped_channel'
            when customer_id is null and web_account_id is null then 'missing_customer_reference'
            when not has_exchange_rate then 'no_exchange_rate'
        end as rejection_reason
    from standardised
),

final as (
    select
        order_id,
        customer_id,
        web_account_id,
        ordered_at,
        cast(ordered_at as date) as ordered_on,
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
