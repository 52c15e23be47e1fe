with

current_state as (
    select * from {{ ref('int_customers__state_as_of') }}
    where purchases_to_date > 0
),

purchase_lines as (
    select
        customer_key,
        ordered_on,
        category_id,
        is_discounted,
        recognized_net_revenue
    from {{ ref('int_order_lines__as_of') }}
    where is_revenue
),

catalogue as (
    select count(*) as leaf_categories
    from {{ ref('stg_crm__product_categories') }}
    where parent_category_id is not null
),

line_summary as (
    select
        customer_key,
        count(distinct extract(year from ordered_on)) as active_years,
        count(distinct category_id) as categories_bought,
        sum(case when is_discounted then recognized_net_revenue else 0 end) as discounted_revenue,
        sum(recognized_net_revenue) as revenue
    from purchase_lines
    group by customer_key
),

final as (
    select
        current_state.customer_key,
        current_state.evaluation_date as as_of_date,
        current_state.purchases_to_date,
        current_state.purchases_to_date >= 2 as is_repeat_buyer,
        {{ safe_divide('current_state.purchases_to_date - 1', 'current_state.purchases_to_date') }}
            as repeat_purchase_share,
        line_summary.active_years,
        {{ safe_divide('current_state.purchases_to_date', 'line_summary.active_years') }} as purchases_per_active_year,
        line_summary.categories_bought,
        {{ safe_divide('line_summary.categories_bought', 'catalogue.leaf_categories') }} as category_share,
        {{ safe_divide('line_summary.discounted_revenue', 'line_summary.revenue') }} as discounted_revenue_share,
        current_state.mean_days_between_purchases,
        current_state.days_between_last_two_purchases
    from current_state
    left join line_summary
        on current_state.customer_key = line_summary.customer_key
    cross join catalogue
)

select * from final
