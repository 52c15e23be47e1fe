-- Quarantined source rows by table and reason: the first place to look after a new load.
-- Compile with `dbt compile -s quarantine_summary` and run the SQL in target/compiled/.
select
    source_table,
    rejection_reason,
    count(*) as quarantined_rows
from {{ ref('int_quarantine__rejected_rows') }}
group by source_table, rejection_reason
order by source_table asc, quarantined_rows desc
