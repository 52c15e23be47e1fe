-- Every source row is accounted for: for each CRM table,
--   source rows = valid rows + quarantined rows + collapsed exact duplicates,
-- valid rows counted in the model that holds the rows' verdict (macro validated_staging_tables;
-- the staging model for a table without rules). Returns one row per table that does not reconcile.
{%- set tables = [
    'customers', 'web_accounts', 'leads', 'opportunities', 'opportunity_stage_history',
    'orders', 'order_items', 'products', 'product_categories', 'channels', 'stores',
    'sales_reps', 'campaigns', 'campaign_touches', 'service_tickets', 'exchange_rates',
    'holidays',
] %}
{%- set verdict_models = {} %}
{%- for validated in validated_staging_tables() %}
{%- do verdict_models.update({validated.source_table: validated.model}) %}
{%- endfor %}

with

quarantined as (
    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('int_quarantine__rejected_rows') }}
    group by source_table
),

-- One pass over each table's model for all three of its counts.
counts as (
    {% for table in tables %}
    select
        '{{ table }}' as source_table,
        (select count(*) from {{ source('crm', table) }}) as source_rows,
        staged.staged_rows,
        staged.collapsed_duplicates,
        staged.valid_rows
    from (
        select
            count(*) as staged_rows,
            sum(loaded_copies) - count(*) as collapsed_duplicates,
            {% if table in verdict_models -%}
            count(case when is_valid then 1 end)
            {%- else -%}
            count(*)
            {%- endif %} as valid_rows
        from {{ ref(verdict_models.get(table, 'stg_crm__' ~ table)) }}
    ) as staged
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    counts.*,
    coalesce(quarantined.quarantined_rows, 0) as quarantined_rows
from counts
left join quarantined on counts.source_table = quarantined.source_table
where
    counts.source_rows
    != counts.valid_rows + coalesce(quarantined.quarantined_rows, 0) + counts.collapsed_duplicates
