{#-
    The CRM tables whose staging model validates rows (is_valid, rejection_reason), with the
    column identifying a row. The quarantine model and the reconciliation test both read it.
-#}
{% macro validated_staging_tables() -%}
    {{ return([
        {'source_table': 'orders', 'model': 'stg_crm__orders', 'key': 'order_id'},
        {'source_table': 'order_items', 'model': 'stg_crm__order_items', 'key': 'order_item_id'},
        {'source_table': 'campaign_touches', 'model': 'stg_crm__campaign_touches', 'key': 'touch_id'},
        {'source_table': 'service_tickets', 'model': 'stg_crm__service_tickets', 'key': 'ticket_id'},
    ]) }}
{%- endmacro %}
