-- A table: every model asks for "today"; as a view each asked re-derived it from all orders.
{{ config(materialized='table') }}

with

last_order as (
    select max(ordered_on) as last_order_on
    from {{ ref('int_orders__validated') }}
    where is_valid
),

final as (
    select
        {% if var('as_of_date') -%}
            cast('{{ var("as_of_date") }}' as date)
        {%- else -%}
        last_order_on
        {%- endif %} as as_of_date,
        last_order_on as last_order_in_data_on,
        {{ "true" if var('as_of_date') else "false" }} as is_set_by_variable
    from last_order
)

select * from final
