"""Each planted fault is in the raw data and handled where the fault table says.

The table lives in models/staging/crm/_stg_crm__docs.md (doc block `crm_source`, the description
of the source on the docs site). A fault a row shows by itself is handled in staging; one that
needs another table (a line's product, an order's status and channel mappings) in
int_orders__validated or int_order_items__validated. For every row, the count found in `raw` and
the count of rows handled where the table says must both equal the documented count.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "models" / "staging" / "crm" / "_stg_crm__docs.md"

# fault id -> (query counting it in raw, query counting the rows handled where the fault table says)
FAULT_QUERIES: dict[str, tuple[str, str]] = {
    "email_written_differently": (
        """select count(*) from (select distinct * from raw.web_accounts) w
           join (select distinct email from raw.customers) c
             on lower(trim(w.email)) = lower(trim(c.email)) and w.email != c.email""",
        """select (select count(*) from staging.stg_crm__web_accounts w join staging.stg_crm__customers c using (email))
                - (select count(*) from (select distinct * from raw.web_accounts) w
                   join (select distinct email from raw.customers) c using (email))""",
    ),
    "phone_written_differently": (
        """select count(*) from (select distinct * from raw.web_accounts) w
           join (select distinct phone from raw.customers) c
             on regexp_replace(regexp_replace(w.phone, '[^0-9]', '', 'g'), '^00', '')
              = regexp_replace(c.phone, '[^0-9]', '', 'g') and w.phone != c.phone""",
        "select count(*) from staging.stg_crm__web_accounts w join staging.stg_crm__customers c using (phone)",
    ),
    "duplicate_customers": (
        "select count(*) - (select count(*) from (select distinct * from raw.customers)) from raw.customers",
        "select sum(loaded_copies) - count(*) from staging.stg_crm__customers",
    ),
    "duplicate_orders": (
        "select count(*) - (select count(*) from (select distinct * from raw.orders)) from raw.orders",
        "select sum(loaded_copies) - count(*) from staging.stg_crm__orders",
    ),
    "duplicate_order_items": (
        "select count(*) - (select count(*) from (select distinct * from raw.order_items)) from raw.order_items",
        "select sum(loaded_copies) - count(*) from staging.stg_crm__order_items",
    ),
    "duplicate_campaign_touches": (
        "select count(*) - (select count(*) from (select distinct * from raw.campaign_touches)) from raw.campaign_touches",
        "select sum(loaded_copies) - count(*) from staging.stg_crm__campaign_touches",
    ),
    "order_status_spelling": (
        """select count(*) from (select distinct * from raw.orders)
           where order_status not in ('completed', 'returned', 'cancelled')""",
        """select count(*) from intermediate.int_orders__validated
           where order_status_source_value != order_status and order_status in ('completed', 'returned', 'cancelled')""",
    ),
    "channel_spelling": (
        """select count(*) from (select distinct * from raw.orders)
           where channel not in ('store', 'web', 'app', 'call_centre', 'field_sales', 'partner')""",
        """select count(*) from intermediate.int_orders__validated
           where channel_source_value != channel_code and channel_code != 'unknown'""",
    ),
    "channel_missing": (
        "select count(*) from (select distinct * from raw.orders) where nullif(trim(channel), '') is null",
        "select count(*) from intermediate.int_orders__validated where channel_code = 'unknown' and is_valid",
    ),
    "customer_region_missing": (
        "select count(*) from (select distinct * from raw.customers) where nullif(trim(region), '') is null",
        "select count(*) from staging.stg_crm__customers where region = 'unknown'",
    ),
    "store_region_missing": (
        "select count(*) from raw.stores where nullif(trim(region), '') is null",
        "select count(*) from staging.stg_crm__stores where region = 'unknown'",
    ),
    "unknown_product": (
        """select count(*) from (select distinct * from raw.order_items)
           where product_id not in (select product_id from raw.products)""",
        """select count(*) from intermediate.int_quarantine__rejected_rows
           where source_table = 'order_items' and rejection_reason = 'unknown_product_id'""",
    ),
    "non_positive_quantity": (
        """select count(*) from (select distinct * from raw.order_items)
           where quantity <= 0 and product_id in (select product_id from raw.products)""",
        """select count(*) from intermediate.int_quarantine__rejected_rows
           where source_table = 'order_items' and rejection_reason = 'non_positive_quantity'""",
    ),
    "foreign_currency": (
        "select count(*) from (select distinct * from raw.orders) where currency_code != 'USD'",
        """select count(*) from intermediate.int_orders__validated o
           join intermediate.int_exchange_rates__to_reporting r
             on o.currency_code = r.currency_code and o.ordered_on = r.rate_date
           where o.currency_code != 'USD'""",
    ),
    "internal_test_account": (
        "select count(*) from (select distinct * from raw.customers) where email like '%@test.crm-retail.internal'",
        "select count(*) from staging.stg_crm__customers where is_internal_account",
    ),
    "timestamp_with_offset": (
        "select count(*) from (select distinct * from raw.orders) where ordered_at like '%T%+__:__' or ordered_at like '%T%-__:__'",
        "select count(*) from staging.stg_crm__orders where had_utc_offset",
    ),
}


def documented_faults() -> dict[str, int]:
    """Rows of the fault table: | id | fault | table | rows | handling |."""
    text = DOCS.read_text()
    block = text.split("{% docs crm_source %}")[1].split("{% enddocs %}")[0]
    rows: dict[str, int] = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"`[a-z_]+`", cells[0]):
            rows[cells[0].strip("`")] = int(cells[3].replace(",", ""))
    return rows


def test_fault_table_lists_every_fault() -> None:
    assert sorted(documented_faults()) == sorted(FAULT_QUERIES)


@pytest.mark.parametrize("fault", sorted(FAULT_QUERIES))
def test_fault_is_planted_and_handled(warehouse: duckdb.DuckDBPyConnection, fault: str) -> None:
    documented = documented_faults()[fault]
    raw_query, handled_query = FAULT_QUERIES[fault]
    in_raw = warehouse.execute(raw_query).fetchone()[0]
    handled = warehouse.execute(handled_query).fetchone()[0]
    assert in_raw > 0, f"{fault}: not planted in raw"
    assert (in_raw, handled) == (documented, documented), f"{fault}: raw {in_raw}, handled {handled}, docs {documented}"


def test_offset_timestamps_are_shifted_to_utc(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute(
        """select r.ordered_at, s.ordered_at from (select distinct order_id, ordered_at from raw.orders) r
           join staging.stg_crm__orders s using (order_id) where s.had_utc_offset"""
    ).fetchall()
    assert rows
    for source_text, staged in rows:
        local = datetime.fromisoformat(source_text)
        assert staged == (local - local.utcoffset()).replace(tzinfo=None) + timedelta(0)


def test_no_row_is_lost_in_staging(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Exact duplicates collapse, nothing else: loaded copies add up to the raw row count."""
    for table in ("customers", "web_accounts", "orders", "order_items", "campaign_touches", "service_tickets"):
        raw = warehouse.execute(f"select count(*) from raw.{table}").fetchone()[0]
        staged = warehouse.execute(f"select sum(loaded_copies) from staging.stg_crm__{table}").fetchone()[0]
        assert raw == staged, table
