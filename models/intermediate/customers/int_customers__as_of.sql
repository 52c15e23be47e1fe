with

customers as (
    select * from {{ ref('int_customers__unified') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

final as (
    select customers.*
    from customers
    inner join as_of
        on customers.signed_up_on <= as_of.as_of_date
)

select * from final
