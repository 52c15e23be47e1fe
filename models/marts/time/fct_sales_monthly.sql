with

months as (
    select
        month_start,
        max(month_end) as month_end,
        count(*) as days_in_month
    from {{ ref('dim_date') }}
    where
        date_day <= {{ as_of_date() }}
        and date_day >= (select min(purchases.ordered_on) from {{ ref('int_orders__purchases') }} as purchases)
    group by month_start
),

purchases as (
    select
        cast({{ dbt.date_trunc('month', 'ordered_on') }} as date) as month_start,
        customer_key,
        recognized_net_revenue,
        recognized_margin,
        is_first_purchase
    from {{ ref('int_orders__purchases') }}
),

monthly as (
    select
        month_start,
        {{ purchase_measures() }}
    from purchases
    group by month_start
),

filled as (
    select
        months.month_start,
        months.month_end,
        months.days_in_month,
        months.month_end = cast({{ dbt.last_day('months.month_start', 'month') }} as date) as is_complete_month,
        {{ zero_filled('monthly', purchase_measure_names()) }}
    from months
    left join monthly
        on months.month_start = monthly.month_start
),

final as (
    select
        filled.month_start,
        filled.month_end,
        filled.days_in_month,
        filled.is_complete_month,
        cast(filled.net_revenue as {{ type_money() }}) as net_revenue,
        cast(filled.gross_margin as {{ type_money() }}) as gross_margin,
        filled.purchases,
        filled.active_customers,
        filled.new_customers,
        {{ divide_money('filled.net_revenue', 'filled.purchases') }} as average_order_value,
        cast(previous_month.net_revenue as {{ type_money() }}) as previous_month_net_revenue,
        {{ safe_divide('filled.net_revenue - previous_month.net_revenue', 'previous_month.net_revenue') }}
            as net_revenue_change_vs_previous_month,
        cast(last_year.net_revenue as {{ type_money() }}) as same_month_last_year_net_revenue,
        {{ safe_divide('filled.net_revenue - last_year.net_revenue', 'last_year.net_revenue') }}
            as net_revenue_change_vs_last_year
    from filled
    left join filled as previous_month
        on previous_month.month_start = cast({{ dbt.dateadd('month', -1, 'filled.month_start') }} as date)
    left join filled as last_year
        on last_year.month_start = cast({{ dbt.dateadd('year', -1, 'filled.month_start') }} as date)
)

select * from final
