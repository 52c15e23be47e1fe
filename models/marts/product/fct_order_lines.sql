-- Detail fact, one row per valid order line of a real customer up to as_of_date: amounts in
-- the reporting currency, recognized revenue and margin (completed orders only), with the
-- keys of every dimension. The daily and monthly product facts roll up from here.
--
-- Incremental: a run re-reads the last var order_lines_lookback_days days before the newest
-- line already loaded and replaces those lines by order_item_id, so late-arriving lines and
-- status changes (a return) inside the look-back land, and the table equals a full refresh.
{{ config(
    materialized='incremental',
    unique_key='order_item_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{%- set lookback_filter -%}
    ordered_on >= (
        select {{ dbt.dateadd('day', -1 * var('order_lines_lookback_days'), 'max(loaded.ordered_on)') }}
        from {{ this }} as loaded
    )
{%- endset %}

with

lines as (
    select * from {{ ref('int_order_items__enriched') }}
    where
        ordered_on <= {{ as_of_date() }}
        and {{ lookback_filter if is_incremental() else 'true' }}
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
        unit_price_local,
        fx_rate_to_reporting,
        gross_revenue,
        discount_amount,
        net_revenue,
        cost,
        gross_margin,
        is_discounted,
        recognized_net_revenue,
        recognized_margin
    from lines
)

select * from final
