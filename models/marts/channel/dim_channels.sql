with

channels as (
    select
        channel_id,
        channel_code,
        channel_name,
        channel_type,
        is_online
    from {{ ref('stg_crm__channels') }}
),

unknown_member as (
    select
        -1 as channel_id,
        '{{ var("unknown_code") }}' as channel_code,
        'Unknown channel' as channel_name,
        '{{ var("unknown_code") }}' as channel_type,
        cast(null as {{ dbt.type_boolean() }}) as is_online
),

final as (
    select * from channels
    union all
    select * from unknown_member
)

select * from final
