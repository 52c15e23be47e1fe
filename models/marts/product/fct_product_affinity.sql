with

baskets as (
    select distinct
        order_id,
        product_id as item_id
    from {{ ref('int_order_lines__as_of') }}
    where is_revenue
),

{{ basket_affinity_ctes('baskets') }}

final as (
    select
        {{ composite_key(['item_a_id', 'item_b_id'], '+') }} as product_pair_id,
        item_a_id as product_a_id,
        item_b_id as product_b_id,
        pair_orders,
        item_a_orders as product_a_orders,
        item_b_orders as product_b_orders,
        total_orders,
        support,
        confidence_a_to_b,
        confidence_b_to_a,
        lift
    from affinity
    where support >= {{ var('affinity_min_support') }}
)

select * from final
