{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}
        delete from {{ this }}
        where order_item_id not in (select order_item_id from {{ ref('int_order_lines__as_of') }})
    {% endif %}",
    **replace_by_key('order_item_id', one_row_per_key=true)
) }}

with

lines as (
    select
        *,
        {{ periods_between("cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")", 'source_updated_at', 'second') }}
            as source_version
    from {{ ref('int_order_lines__as_of') }}
),

-- Money to the cent (doc block money): gross revenue, discount and cost are each rounded
-- once; net revenue and margin are their exact differences, so gross - discount = net and
-- net - cost = margin hold on every line and in every roll-up of the lines.
cents as (
    select
        *,
        cast(gross_revenue as {{ type_money() }}) as gross_revenue_cents,
        cast(discount_amount as {{ type_money() }}) as discount_cents,
        cast(cost as {{ type_money() }}) as cost_cents
    from lines
),

-- Text columns are cast to one string type: the incremental schema check compares this
-- select with the loaded table, and PostgreSQL tells varchar from text.
final as (
    select
        order_item_id,
        order_id,
        line_number,
        cast(customer_key as {{ dbt.type_string() }}) as customer_key,
        product_id,
        category_id,
        cast(channel_code as {{ dbt.type_string() }}) as channel_code,
        store_id,
        campaign_id,
        ordered_at,
        ordered_on,
        cast(order_status as {{ dbt.type_string() }}) as order_status,
        is_revenue,
        quantity,
        cast(currency_code as {{ dbt.type_string() }}) as currency_code,
        -- A 6-decimal price to cents, at 64 bits (macro to_money; a plain cast is a 128-bit division).
        {{ to_money('unit_price_local') }} as unit_price_local,
        fx_rate_to_reporting,
        gross_revenue_cents as gross_revenue,
        discount_cents as discount_amount,
        cast(gross_revenue_cents - discount_cents as {{ type_money() }}) as net_revenue,
        cost_cents as cost,
        cast(gross_revenue_cents - discount_cents - cost_cents as {{ type_money() }}) as gross_margin,
        is_discounted,
        -- recognized as in int_order_items__enriched: completed orders only, else 0
        cast(
            case when is_revenue then gross_revenue_cents - discount_cents else 0 end as {{ type_money() }}
        ) as recognized_net_revenue,
        cast(
            case when is_revenue then gross_revenue_cents - discount_cents - cost_cents else 0 end
            as {{ type_money() }}
        ) as recognized_margin,
        source_version
    from cents
)

{% if is_incremental() -%}
-- Only the lines that differ in some column from the loaded ones: new, changed in the source,
-- or moved without a source change (another customer, rate, cost or var). A set difference
-- treats nulls as equal, so an unchanged line without a campaign is not reloaded. Columns in
-- the loaded table's order, as a set difference pairs them by position.
{%- set loaded_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | join(', ') %}
select {{ loaded_columns }} from final
except
select {{ loaded_columns }} from {{ this }}
{%- else -%}
select * from final
{%- endif %}
