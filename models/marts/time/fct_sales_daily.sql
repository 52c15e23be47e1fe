with

days as (
    select date_day
    from {{ ref('dim_date') }}
    where
        date_day <= {{ as_of_date() }}
        and date_day >= (select min(purchases.ordered_on) from {{ ref('int_orders__purchases') }} as purchases)
),

purchases as (
    select
        ordered_on,
        customer_key,
        order_id,
        recognized_net_revenue,
        recognized_margin,
        is_first_purchase
    from {{ ref('int_orders__purchases') }}
),

daily as (
    select
        ordered_on,
        {{ purchase_measures() }}
    from purchases
    group by ordered_on
),

filled as (
    select
        days.date_day,
        {{ zero_filled('daily', purchase_measure_names()) }}
    from days
    left join daily
        on days.date_day = daily.ordered_on
),

final as (
    select
        filled.date_day,
        cast(filled.net_revenue as {{ type_money() }}) as net_revenue,
        cast(filled.gross_margin as {{ type_money() }}) as gross_margin,
        filled.purchases,
        filled.active_customers,
        filled.new_customers,
        {{ divide_money('filled.net_revenue', 'filled.purchases') }} as average_order_value,
        cast(previous_day.net_revenue as {{ type_money() }}) as previous_day_net_revenue,
        {{ safe_divide('filled.net_revenue - previous_day.net_revenue', 'previous_day.net_revenue') }}
            as net_revenue_change_vs_previous_day,
        cast({{ dbt.dateadd('year', -1, 'filled.date_day') }} as date) as same_day_last_year,
        cast(last_year.net_revenue as {{ type_money() }}) as same_day_last_year_net_revenue,
        {{ safe_divide('filled.net_revenue - last_year.net_revenue', 'last_year.net_revenue') }}
            as net_revenue_change_vs_last_year
    from filled
    left join filled as previous_day
        on previous_day.date_day = cast({{ dbt.dateadd('day', -1, 'filled.date_day') }} as date)
    left join filled as last_year
        on last_year.date_day = cast({{ dbt.dateadd('year', -1, 'filled.date_day') }} as date)
)

select * from final
