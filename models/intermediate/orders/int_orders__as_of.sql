-- The orders known on as_of_date: every valid order of a real customer placed on or before
-- it, whatever its status. Marts that count orders (not only purchases) read this, never
-- int_orders__enriched with a filter of their own.
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
