with

source as (
    {{ collapse_exact_duplicates(source('crm', 'orders'), [
        'order_id', 'customer_id', 'web_account_id', 'ordered_at', 'channel', 'store_id',
        'sales_rep_id', 'campaign_id', 'order_status', 'currency_code', 'updated_at',
    ]) }}
),

renamed as (
    select
        cast(order_id as {{ dbt.type_int() }}) as order_id,
        cast(customer_id as {{ dbt.type_int() }}) as customer_id,
        cast(web_account_id as {{ dbt.type_int() }}) as web_account_id,
        {{ to_utc_timestamp('ordered_at') }} as ordered_at,
        {{ has_utc_offset('ordered_at') }} as had_utc_offset,
        -- Status and channel stay as written: their spellings are mapped to the standard codes
        -- (seeds order_status_mappings, channel_mappings) in int_orders__validated.
        channel as channel_source_value,
        cast(store_id as {{ dbt.type_int() }}) as store_id,
        cast(sales_rep_id as {{ dbt.type_int() }}) as sales_rep_id,
        cast(campaign_id as {{ dbt.type_int() }}) as campaign_id,
        order_status as order_status_source_value,
        upper(trim(currency_code)) as currency_code,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        loaded_copies
    from source
),

-- Only what the header itself shows; the checks against the mappings and the exchange rates,
-- and the order's final is_valid, are in int_orders__validated.
checked as (
    select
        *,
        case
            when customer_id is null and web_account_id is null then 'missing_customer_reference'
        end as row_rejection_reason
    from renamed
),

final as (
    select
        order_id,
        customer_id,
        web_account_id,
        ordered_at,
        cast(ordered_at as date) as ordered_on,
        had_utc_offset,
        channel_source_value,
        store_id,
        sales_rep_id,
        campaign_id,
        order_status_source_value,
        currency_code,
        updated_at,
        row_rejection_reason,
        loaded_copies
    from checked
)

select * from final
