with

products as (
    select * from {{ ref('int_products__as_of') }}
),

categories as (
    select * from {{ ref('stg_crm__product_categories') }}
),

price_bands as (
    select * from {{ ref('price_bands') }}
),

final as (
    select
        products.product_id,
        products.sku,
        products.product_name,
        products.brand,
        products.category_id,
        categories.category_name,
        coalesce(departments.category_id, categories.category_id) as department_id,
        coalesce(departments.category_name, categories.category_name) as department_name,
        cast(products.list_price_usd as {{ type_money() }}) as list_price_usd,
        cast(products.unit_cost_usd as {{ type_money() }}) as unit_cost_usd,
        {{ safe_divide('products.list_price_usd - products.unit_cost_usd', 'products.list_price_usd') }}
            as unit_margin_rate,
        price_bands.price_band,
        price_bands.band_order as price_band_order,
        products.launched_on,
        products.discontinued_on,
        products.discontinued_on is null as is_active
    from products
    left join categories
        on products.category_id = categories.category_id
    left join categories as departments
        on categories.parent_category_id = departments.category_id
    left join price_bands
        on
            products.list_price_usd >= price_bands.min_price_usd
            and products.list_price_usd < price_bands.max_price_usd
)

select * from final
