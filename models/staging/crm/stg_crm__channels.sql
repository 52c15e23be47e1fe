with

source as (
    {{ collapse_exact_duplicates(source('crm', 'channels'), [
        'channel_id', 'channel_code', 'channel_name', 'channel_type', 'is_online',
    ]) }}
),

final as (
    select
        cast(channel_id as {{ dbt.type_int() }}) as channel_id,
        lower(trim(channel_code)) as channel_code,
        trim(channel_name) as channel_name,
        lower(trim(channel_type)) as channel_type,
        cast(is_online as {{ dbt.type_boolean() }}) as is_online,
        loaded_copies
    from source
)

select * from final
