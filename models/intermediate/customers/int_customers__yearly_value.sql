-- A table: the lifetime-value mart and its tests read it (as a view, each re-ran it).
{{ config(materialized='table') }}

{%- set cost_per_ticket = 'cast(' ~ var('service_cost_per_ticket') ~ ' as ' ~ type_double() ~ ')' %}

with

purchases as (
    select
        customer_key,
        ordered_on,
        recognized_net_revenue,
        recognized_margin
    from {{ ref('int_orders__purchases') }}
),

first_purchases as (
    select
        customer_key,
        min(ordered_on) as first_purchase_on
    from purchases
    group by customer_key
),

tickets as (
    select
        customer_key,
        opened_on
    from {{ ref('int_service_tickets__as_of') }}
    where customer_key is not null
),

purchase_years as (
    select
        purchases.customer_key,
        {{ customer_year('first_purchases.first_purchase_on', 'purchases.ordered_on') }} as customer_year,
        sum(purchases.recognized_net_revenue) as net_revenue,
        sum(purchases.recognized_margin) as gross_margin
    from purchases
    inner join first_purchases
        on purchases.customer_key = first_purchases.customer_key
    group by
        purchases.customer_key,
        {{ customer_year('first_purchases.first_purchase_on', 'purchases.ordered_on') }}
),

ticket_years as (
    select
        tickets.customer_key,
        {{ customer_year('first_purchases.first_purchase_on', 'tickets.opened_on') }} as customer_year,
        count(*) as tickets
    from tickets
    inner join first_purchases
        on tickets.customer_key = first_purchases.customer_key
    where tickets.opened_on >= first_purchases.first_purchase_on
    group by
        tickets.customer_key,
        {{ customer_year('first_purchases.first_purchase_on', 'tickets.opened_on') }}
),

customer_years as (
    select
        customer_key,
        customer_year
    from purchase_years
    union
    select
        customer_key,
        customer_year
    from ticket_years
),

final as (
    select
        customer_years.customer_key,
        customer_years.customer_year,
        cast(coalesce(purchase_years.net_revenue, 0) as {{ type_money() }}) as net_revenue,
        cast(coalesce(purchase_years.gross_margin, 0) as {{ type_money() }}) as gross_margin,
        coalesce(ticket_years.tickets, 0) as tickets,
        {{ to_money('coalesce(ticket_years.tickets, 0) * ' ~ cost_per_ticket) }} as service_cost,
        cast(
            coalesce(purchase_years.gross_margin, 0)
            - {{ to_money('coalesce(ticket_years.tickets, 0) * ' ~ cost_per_ticket) }} as {{ type_money() }}
        ) as contribution,
        purchase_years.customer_key is not null as has_purchase
    from customer_years
    left join purchase_years
        on
            customer_years.customer_key = purchase_years.customer_key
            and customer_years.customer_year = purchase_years.customer_year
    left join ticket_years
        on
            customer_years.customer_key = ticket_years.customer_key
            and customer_years.customer_year = ticket_years.customer_year
)

select * from final
