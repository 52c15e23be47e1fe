with

usage as (
    select
        channel_usage.*,
        coalesce(channels.is_online, false) as is_online
    from {{ ref('int_customers__channel_usage') }} as channel_usage
    left join {{ ref('stg_crm__channels') }} as channels
        on channel_usage.channel_code = channels.channel_code
),

final as (
    select
        customer_key,
        count(*) as channels_used,
        max(case when channel_rank = 1 then channel_code end) as preferred_channel_code,
        count(*) > 1 as is_multichannel,
        count(case when is_online then 1 end) > 0 as has_bought_online,
        cast(sum(purchases) as {{ dbt.type_bigint() }}) as purchases,
        cast(sum(net_revenue) as {{ type_money() }}) as net_revenue,
        {{ safe_divide('max(case when channel_rank = 1 then net_revenue end)', 'sum(net_revenue)') }}
            as preferred_channel_revenue_share
    from usage
    group by customer_key
)

select * from final
