-- A table: the customer state models and their tests join to it.
{{ config(materialized='table') }}

with

first_order as (
    select min(ordered_on) as first_order_on
    from {{ ref('int_orders__validated') }}
    where is_valid
),

days as (
    {{ date_spine(
        "(select first_order_on from first_order)",
        as_of_date(),
    ) }}
),

final as (
    select
        date_day as evaluation_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        date_day = {{ as_of_date() }} as is_as_of_date
    from days
    where
        date_day = cast({{ dbt.last_day('date_day', 'month') }} as date)
        or date_day = {{ as_of_date() }}
)

select * from final
