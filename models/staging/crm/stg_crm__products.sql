with

source as (
    {{ collapse_exact_duplicates(source('crm', 'products'), [
        'product_id', 'sku', 'product_name', 'category_id', 'brand', 'list_price_usd',
        'unit_cost_usd', 'launched_on', 'discontinued_on',
    ]) }}
),

final as (
    select
        cast(product_id as {{ dbt.type_int() }}) as product_id,
        upper(trim(sku)) as sku,
        trim(product_name) as product_name,
        cast(category_id as {{ dbt.type_int() }}) as category_id,
        trim(brand) as brand,
        cast(list_price_usd as {{ dbt.type_numeric() }}) as list_price_usd,
        cast(unit_cost_usd as {{ dbt.type_numeric() }}) as unit_cost_usd,
        cast(launched_on as date) as launched_on,
        cast(discontinued_on as date) as discontinued_on,
        loaded_copies
    from source
)

select * from final
