with

customers as (
    select
        customer_key,
        revenue_to_date,
        row_number() over (order by revenue_to_date desc, customer_key asc) as revenue_rank,
        count(*) over () as buying_customers
    from {{ ref('fct_customer_value_tiers') }}
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        max(buying_customers) as buying_customers,
        cast({{ var('pareto_customer_share') }} as {{ type_double() }}) as top_customer_share,
        count(case when revenue_rank <= {{ var('pareto_customer_share') }} * buying_customers then 1 end)
            as top_customers,
        cast(sum(revenue_to_date) as {{ type_money() }}) as revenue,
        {{ safe_divide(
            'sum(case when revenue_rank <= ' ~ var('pareto_customer_share') ~ ' * buying_customers then revenue_to_date else 0 end)',
            'sum(revenue_to_date)',
        ) }} as top_customers_revenue_share
    from customers
)

select * from final
