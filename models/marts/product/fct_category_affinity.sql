with

baskets as (
    select distinct
        order_id,
        category_id as item_id
    from {{ ref('int_order_lines__as_of') }}
    where is_revenue
),

{{ basket_affinity_ctes('baskets') }}

final as (
    select
        {{ composite_key(['item_a_id', 'item_b_id'], '+') }} as category_pair_id,
        item_a_id as category_a_id,
        item_b_id as category_b_id,
        pair_orders,
        item_a_orders as category_a_orders,
        item_b_orders as category_b_orders,
        total_orders,
        support,
        confidence_a_to_b,
        confidence_b_to_a,
        lift
    from affinity
    where support >= {{ var('category_affinity_min_support') }}
)

select * from final
