with

lines as (
    select * from {{ ref('int_order_items__enriched') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

final as (
    select lines.*
    from lines
    inner join as_of
        on lines.ordered_on <= as_of.as_of_date
)

select * from final
