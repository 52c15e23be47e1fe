-- A table: the lifetime-value mart and its tests read it (as a view, each re-ran it).
{{ config(materialized='table') }}

with

purchases as (
    select distinct
        customer_key,
        extract(year from ordered_on) as purchase_year
    from {{ ref('int_orders__purchases') }}
),

retained as (
    select
        previous_year.purchase_year + 1 as calendar_year,
        count(*) as customers_previous_year,
        count(this_year.customer_key) as customers_retained
    from purchases as previous_year
    left join purchases as this_year
        on
            previous_year.customer_key = this_year.customer_key
            and this_year.purchase_year = previous_year.purchase_year + 1
    group by previous_year.purchase_year + 1
),

final as (
    select
        cast(calendar_year as {{ dbt.type_int() }}) as calendar_year,
        customers_previous_year,
        customers_retained,
        {{ safe_divide('customers_retained', 'customers_previous_year') }} as retention_rate
    from retained
    -- a year counts once it is complete: up to as_of_date's year if as_of_date is its last day
    where
        calendar_year
        <= extract(year from {{ as_of_date() }})
        - case when {{ as_of_date() }} = cast({{ dbt.last_day(as_of_date(), 'year') }} as date) then 0 else 1 end
)

select * from final
