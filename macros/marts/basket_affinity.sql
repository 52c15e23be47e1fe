{#-
    CTEs measuring how often pairs of items are bought in the same order (market basket
    analysis). `baskets` names a CTE with one row per order and item (columns order_id,
    item_id; select distinct): item and pair counts then count rows, not distinct orders,
    which at millions of lines is several times cheaper. Emits the CTEs basket_totals,
    item_totals, pair_totals and affinity, each followed by a comma, for the calling model's
    with-clause. For items a < b:

        support          = orders with a and b / all orders
        confidence a->b  = orders with a and b / orders with a
        lift             = support / (support of a x support of b)
                         = orders with both x all orders / (orders with a x orders with b)

    Lift above 1: bought together more often than chance. Ratios are rounded to 6 places.
-#}
{% macro basket_affinity_ctes(baskets) -%}
basket_totals as (
    select count(distinct order_id) as total_orders
    from {{ baskets }}
),

item_totals as (
    select
        item_id,
        count(*) as item_orders
    from {{ baskets }}
    group by item_id
),

pair_totals as (
    select
        basket_a.item_id as item_a_id,
        basket_b.item_id as item_b_id,
        count(*) as pair_orders
    from {{ baskets }} as basket_a
    inner join {{ baskets }} as basket_b
        on
            basket_a.order_id = basket_b.order_id
            and basket_a.item_id < basket_b.item_id
    group by
        basket_a.item_id,
        basket_b.item_id
),

affinity as (
    select
        pair_totals.item_a_id,
        pair_totals.item_b_id,
        pair_totals.pair_orders,
        item_a.item_orders as item_a_orders,
        item_b.item_orders as item_b_orders,
        basket_totals.total_orders,
        {{ round_to(safe_divide('pair_totals.pair_orders', 'basket_totals.total_orders'), 6) }} as support,
        {{ round_to(safe_divide('pair_totals.pair_orders', 'item_a.item_orders'), 6) }} as confidence_a_to_b,
        {{ round_to(safe_divide('pair_totals.pair_orders', 'item_b.item_orders'), 6) }} as confidence_b_to_a,
        {{ round_to(safe_divide(
            'pair_totals.pair_orders * basket_totals.total_orders',
            'item_a.item_orders * item_b.item_orders',
        ), 6) }} as lift
    from pair_totals
    inner join item_totals as item_a
        on pair_totals.item_a_id = item_a.item_id
    inner join item_totals as item_b
        on pair_totals.item_b_id = item_b.item_id
    cross join basket_totals
),
{%- endmacro %}
