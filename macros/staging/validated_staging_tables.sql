{#-
    The CRM tables whose rows are validated, with the model that holds each row's verdict
    (is_valid, rejection_reason) and the column identifying a row. The verdict is in staging
    where every rule needs the row alone; for orders and order lines, whose rules also need
    other tables, it is in their intermediate validation model. The quarantine model and the
    reconciliation test both read it.
-#}
{% macro validated_staging_tables() -%}
    {{ return([
        {'source_table': 'orders', 'model': 'int_orders__validated', 'key': 'order_id'},
        {'source_table': 'order_items', 'model': 'int_order_items__validated', 'key': 'order_item_id'},
        {'source_table': 'campaign_touches', 'model': 'stg_crm__campaign_touches', 'key': 'touch_id'},
        {'source_table': 'service_tickets', 'model': 'stg_crm__service_tickets', 'key': 'ticket_id'},
    ]) }}
{%- endmacro %}
