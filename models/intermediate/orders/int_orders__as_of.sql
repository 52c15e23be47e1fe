with

orders as (
    select * from {{ ref('int_orders__enriched') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

final as (
    select orders.*
    from orders
    inner join as_of
        on orders.ordered_on <= as_of.as_of_date
)

select * from final
