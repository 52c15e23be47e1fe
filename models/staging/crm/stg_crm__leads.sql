with

source as (
    {{ collapse_exact_duplicates(source('crm', 'leads'), [
        'lead_id', 'created_at', 'company_name', 'contact_email', 'source_channel', 'campaign_id',
        'owner_sales_rep_id', 'lead_status', 'converted_customer_id', 'converted_at',
    ]) }}
),

final as (
    select
        cast(lead_id as {{ dbt.type_int() }}) as lead_id,
        {{ to_utc_timestamp('created_at') }} as created_at,
        trim(company_name) as company_name,
        {{ normalize_email('contact_email') }} as contact_email,
        {{ default_unknown('source_channel') }} as source_channel_code,
        cast(campaign_id as {{ dbt.type_int() }}) as campaign_id,
        cast(owner_sales_rep_id as {{ dbt.type_int() }}) as owner_sales_rep_id,
        lower(trim(lead_status)) as lead_status,
        cast(converted_customer_id as {{ dbt.type_int() }}) as converted_customer_id,
        {{ to_utc_timestamp('converted_at') }} as converted_at,
        loaded_copies
    from source
)

select * from final
