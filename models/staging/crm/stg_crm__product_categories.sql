with

source as (
    {{ collapse_exact_duplicates(source('crm', 'product_categories'), [
        'category_id', 'category_name', 'parent_category_id',
    ]) }}
),

final as (
    select
        cast(category_id as {{ dbt.type_int() }}) as category_id,
        trim(category_name) as category_name,
        cast(parent_category_id as {{ dbt.type_int() }}) as parent_category_id,
        loaded_copies
    from source
)

select * from final
