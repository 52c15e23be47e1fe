with

current_state as (
    select * from {{ ref('int_customers__state_as_of') }}
    where purchases_to_date > 0
),

final as (
    select
        customer_key,
        evaluation_date as as_of_date,
        cast(revenue_to_date as {{ type_money() }}) as revenue_to_date,
        cast(margin_to_date as {{ type_money() }}) as margin_to_date,
        margin_rank_share,
        value_tier
    from current_state
)

select * from final
