with

customers as (
    select
        customer_key,
        coalesce(rfm_segment, 'unscored') as rfm_segment
    from {{ ref('dim_customers') }}
),

satisfaction as (
    select * from {{ ref('fct_customer_satisfaction') }}
),

final as (
    select
        customers.rfm_segment,
        count(*) as customers,
        count(satisfaction.customer_key) as customers_with_tickets,
        cast(coalesce(sum(satisfaction.tickets), 0) as {{ dbt.type_bigint() }}) as tickets,
        cast(coalesce(sum(satisfaction.complaints), 0) as {{ dbt.type_bigint() }}) as complaints,
        {{ safe_divide('sum(satisfaction.complaints)', 'sum(satisfaction.tickets)') }} as complaint_rate,
        -- Means of means weighted by closed tickets: sums of doubles, whose last digits
        -- depend on the order they are added in, so rounded (the same figure on every run).
        {{ round_to(safe_divide(
            'sum(satisfaction.mean_resolution_hours * satisfaction.closed_tickets)',
            'sum(satisfaction.closed_tickets)',
        ), 6) }} as mean_resolution_hours,
        {{ round_to(safe_divide(
            'sum(satisfaction.mean_satisfaction_score * satisfaction.closed_tickets)',
            'sum(satisfaction.closed_tickets)',
        ), 6) }} as mean_satisfaction_score,
        {{ round_to(safe_divide(
            'sum(satisfaction.mean_satisfaction_score * satisfaction.closed_tickets)',
            'sum(satisfaction.mean_expectation_score * satisfaction.closed_tickets)',
        ), 6) }} as satisfaction_index,
        {{ as_of_date() }} as as_of_date
    from customers
    left join satisfaction
        on customers.customer_key = satisfaction.customer_key
    group by customers.rfm_segment
)

select * from final
