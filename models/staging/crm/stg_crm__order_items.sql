with

source as (
    {{ collapse_exact_duplicates(source('crm', 'order_items'), [
        'order_item_id', 'order_id', 'line_number', 'product_id', 'quantity', 'unit_price',
        'discount_amount', 'updated_at',
    ]) }}
),

renamed as (
    select
        cast(order_item_id as {{ dbt.type_int() }}) as order_item_id,
        cast(order_id as {{ dbt.type_int() }}) as order_id,
        cast(line_number as {{ dbt.type_int() }}) as line_number,
        cast(product_id as {{ dbt.type_int() }}) as product_id,
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        cast(unit_price as {{ dbt.type_numeric() }}) as unit_price,
        cast(coalesce(discount_amount, 0) as {{ dbt.type_numeric() }}) as discount_amount,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        loaded_copies
    from source
),

-- Only what the line itself shows; the checks against the order headers and the catalogue,
-- which come first, and the line's final is_valid are in int_order_items__validated.
checked as (
    select
        *,
        case
            when quantity <= 0 then 'non_positive_quantity'
            when unit_price < 0 then 'negative_unit_price'
            when discount_amount < 0 or discount_amount > unit_price * quantity then 'discount_out_of_range'
            -- Implausible values (limits are vars, in the order's currency): one mistyped
            -- quantity would otherwise multiply the revenue of every mart.
            when quantity > {{ var('max_line_quantity') }} then 'quantity_above_limit'
            when unit_price > {{ var('max_unit_price') }} then 'unit_price_above_limit'
            when unit_price * quantity > {{ var('max_line_amount') }} then 'line_amount_above_limit'
        end as row_rejection_reason
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
        row_rejection_reason,
        loaded_copies
    from checked
)

select * from final
