with

source as (
    {{ collapse_exact_duplicates(source('crm', 'order_items'), [
        'order_item_id', 'order_id', 'line_number', 'product_id', 'quantity', 'unit_price',
        'discount_amount', 'updated_at',
    ]) }}
),

-- Lines are checked against the catalogue and the order headers here, so that a line
-- pointing at nothing, or belonging to a quarantined order, is quarantined with its reason
-- instead of vanishing in a later join.
known_products as (
    select distinct product_id from {{ source('crm', 'products') }}
),

known_orders as (
    select
        order_id,
        is_valid
    from {{ ref('stg_crm__orders') }}
),

renamed as (
    select
        cast(source.order_item_id as {{ dbt.type_int() }}) as order_item_id,
        cast(source.order_id as {{ dbt.type_int() }}) as order_id,
        cast(source.line_number as {{ dbt.type_int() }}) as line_number,
        cast(source.product_id as {{ dbt.type_int() }}) as product_id,
        cast(source.quantity as {{ dbt.type_int() }}) as quantity,
        cast(source.unit_price as {{ dbt.type_numeric() }}) as unit_price,
        cast(coalesce(source.discount_amount, 0) as {{ dbt.type_numeric() }}) as discount_amount,
        {{ to_utc_timestamp('source.updated_at') }} as updated_at,
        source.loaded_copies,
        known_products.product_id is not null as is_known_product,
        known_orders.order_id is not null as is_known_order,
        coalesce(known_orders.is_valid, false) as is_order_valid
    from source
    left join known_products
        on source.product_id = known_products.product_id
    left join known_orders
        on source.order_id = known_orders.order_id
),

validated as (
    select
        *,
        case
            when not is_known_order then 'unknown_order_id'
            when not is_order_valid then 'order_rejected'
            when not is_known_product then 'unknown_product_id'
            when quantity <= 0 then 'non_positive_quantity'
            when unit_price < 0 then 'negative_unit_price'
            when discount_amount < 0 or discount_amount > unit_price * quantity then 'discount_out_of_range'
            -- Implausible values (limits are vars, in the order's currency): one mistyped
            -- quantity would otherwise multiply the revenue of every mart.
            when quantity > {{ var('max_line_quantity') }} then 'quantity_above_limit'
            when unit_price > {{ var('max_unit_price') }} then 'unit_price_above_limit'
            when unit_price * quantity > {{ var('max_line_amount') }} then 'line_amount_above_limit'
        end as rejection_reason
    from renamed
),

final as (
    select
        order_item_id,
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        updated_at,
        rejection_reason is null as is_valid,
        rejection_reason,
        loaded_copies
    from validated
)

select * from final
