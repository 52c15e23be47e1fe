with

source as (
    {{ collapse_exact_duplicates(source('crm', 'campaigns'), [
        'campaign_id', 'campaign_name', 'campaign_type', 'channel', 'target_segment', 'starts_on',
        'ends_on', 'budget_usd',
    ]) }}
),

final as (
    select
        cast(campaign_id as {{ dbt.type_int() }}) as campaign_id,
        trim(campaign_name) as campaign_name,
        lower(trim(campaign_type)) as campaign_type,
        {{ default_unknown('channel') }} as channel_code,
        lower(trim(target_segment)) as target_segment,
        cast(starts_on as date) as starts_on,
        cast(ends_on as date) as ends_on,
        cast(coalesce(budget_usd, 0) as {{ dbt.type_numeric() }}) as budget_usd,
        loaded_copies
    from source
)

select * from final
