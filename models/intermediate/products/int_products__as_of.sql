with

products as (
    select * from {{ ref('stg_crm__products') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

final as (
    select
        products.product_id,
        products.sku,
        products.product_name,
        products.category_id,
        products.brand,
        products.list_price_usd,
        products.unit_cost_usd,
        products.launched_on,
        case when products.discontinued_on <= as_of.as_of_date then products.discontinued_on end as discontinued_on
    from products
    inner join as_of
        on products.launched_on is null or products.launched_on <= as_of.as_of_date
)

select * from final
