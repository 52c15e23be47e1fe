with

source as (
    {{ collapse_exact_duplicates(source('crm', 'opportunities'), [
        'opportunity_id', 'lead_id', 'customer_id', 'owner_sales_rep_id', 'campaign_id',
        'source_channel', 'amount_usd', 'stage', 'created_at', 'closed_at',
    ]) }}
),

final as (
    select
        cast(opportunity_id as {{ dbt.type_int() }}) as opportunity_id,
        cast(lead_id as {{ dbt.type_int() }}) as lead_id,
        cast(customer_id as {{ dbt.type_int() }}) as customer_id,
        cast(owner_sales_rep_id as {{ dbt.type_int() }}) as owner_sales_rep_id,
        cast(campaign_id as {{ dbt.type_int() }}) as campaign_id,
        {{ default_unknown('source_channel') }} as source_channel_code,
        cast(amount_usd as {{ dbt.type_numeric() }}) as amount_usd,
        lower(trim(stage)) as current_stage,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        loaded_copies
    from source
)

select * from final
