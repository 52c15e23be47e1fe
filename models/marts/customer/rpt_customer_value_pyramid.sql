with

tiers as (
    select * from {{ ref('fct_customer_value_tiers') }}
),

totals as (
    select
        count(*) as customers,
        sum(margin_to_date) as margin,
        sum(revenue_to_date) as revenue
    from tiers
),

by_tier as (
    select
        value_tier,
        count(*) as customers,
        sum(margin_to_date) as margin,
        sum(revenue_to_date) as revenue
    from tiers
    group by value_tier
),

final as (
    select
        by_tier.value_tier,
        case by_tier.value_tier
            when 'key' then 1 when 'major' then 2 when 'ordinary' then 3 else 4
        end as tier_order,
        by_tier.customers,
        {{ safe_divide('by_tier.customers', 'totals.customers') }} as customer_share,
        cast(by_tier.margin as {{ type_money() }}) as margin,
        {{ safe_divide('by_tier.margin', 'totals.margin') }} as margin_share,
        cast(by_tier.revenue as {{ type_money() }}) as revenue,
        {{ safe_divide('by_tier.revenue', 'totals.revenue') }} as revenue_share,
        {{ as_of_date() }} as as_of_date
    from by_tier
    cross join totals
)

select * from final
