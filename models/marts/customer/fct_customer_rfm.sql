with

current_state as (
    select * from {{ ref('int_customers__state_as_of') }}
    where purchases_to_date > 0
),

final as (
    select
        customer_key,
        evaluation_date as as_of_date,
        last_purchase_on,
        days_since_last_purchase as recency_days,
        purchases_in_window as frequency,
        cast(revenue_in_window as {{ type_money() }}) as monetary,
        recency_score,
        frequency_score,
        monetary_score,
        rfm_cell,
        rfm_segment
    from current_state
)

select * from final
