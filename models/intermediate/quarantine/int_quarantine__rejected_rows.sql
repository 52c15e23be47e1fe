-- A table: the report and the quality suites read it (an exposure reads tables, not views).
{{ config(materialized='table') }}

with

{% for table in validated_staging_tables() %}
rejected_{{ table.source_table }} as (
    select
        '{{ table.source_table }}' as source_table,
        cast({{ table.key }} as {{ dbt.type_string() }}) as source_row_id,
        rejection_reason,
        loaded_copies
    from {{ ref(table.model) }}
    where not is_valid
),

{% endfor %}
unioned as (
    {% for table in validated_staging_tables() %}
    select * from rejected_{{ table.source_table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        {{ dbt.concat(["source_table", "':'", "source_row_id"]) }} as quarantined_row_id,
        source_table,
        source_row_id,
        rejection_reason,
        loaded_copies
    from unioned
)

select * from final
