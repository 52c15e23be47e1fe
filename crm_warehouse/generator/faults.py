"""Planted faults: the data-quality problems staging must handle, planted into a chunk's finished tables.

``FaultPlanter.plant`` runs last, on the sorted orders and lines: missing and misspelled order
channels, misspelled statuses, order times in local time with a UTC offset, unknown products,
non-positive quantities, and exact duplicate loads of customers, orders, lines and touches. The
counts are exact functions of simulate.FAULT_RATES and the table sizes; every planted fault is
counted (``tally``) in the chunk's fault counts, which generate reports. The people family plants
three more among its own draws (see ``people``).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import datetime, timedelta
from typing import TypeVar

import numpy as np

from . import reference as ref
from . import simulate
from .draws import Draws
from .records import Order, OrderItem, Record, SourceRecords

R = TypeVar("R", bound=Record)


def tally(faults: dict[str, int], fault: str, n: int = 1) -> int:
    """Counts ``n`` more planted faults of a kind; returns ``n``."""
    faults[fault] = faults.get(fault, 0) + n
    return n


class FaultPlanter:
    """Plants the faults of a chunk's orders, lines and exact duplicates; counts them in ``faults``."""

    def __init__(self, rng: Draws, faults: dict[str, int]) -> None:
        self.rng, self.faults = rng, faults

    def _pick(self, records: Sequence[Record], rate: str, fault: str) -> np.ndarray:
        """Indexes of round(rate * len(records)) distinct records, counted as ``fault``."""
        k = tally(self.faults, fault, round(simulate.FAULT_RATES[rate] * len(records)))
        return self.rng.choice(len(records), size=k, replace=False) if k else np.array([], dtype=int)

    def plant(self, sources: SourceRecords) -> None:
        """Plants every fault, in this order (their draws follow one another in the chunk's stream)."""
        self._order_faults(sources.orders)
        self._line_faults(sources.order_items)
        self._duplicate(sources.customers, "duplicate_customers", "customers")
        self._duplicate(sources.orders, "duplicate_orders", "orders")
        self._duplicate(sources.order_items, "duplicate_order_items", "order_items")
        self._duplicate(sources.campaign_touches, "duplicate_touches", "campaign_touches")

    def _order_faults(self, orders: list[Order]) -> None:
        """Channels missing or misspelled (never both), statuses misspelled, times in local time with an offset."""
        rng = self.rng
        n_orders = len(orders)
        channel_spellings = {ch.code: ch.spellings for ch in ref.CHANNELS}
        missing = {int(i) for i in self._pick(orders, "channel_missing", "order_channel_missing")}
        for i in missing:
            orders[i].channel = None
        candidates = [i for i in range(n_orders) if i not in missing]
        k = tally(self.faults, "order_channel_misspelled", round(simulate.FAULT_RATES["channel_misspelled"] * n_orders))
        for i in rng.choice(candidates, size=k, replace=False):
            spellings = channel_spellings[orders[i].channel]
            orders[i].channel = spellings[int(rng.integers(len(spellings)))]
        for i in self._pick(orders, "status_misspelled", "order_status_misspelled"):
            spellings = ref.ORDER_STATUSES[orders[i].order_status]
            orders[i].order_status = spellings[int(rng.integers(len(spellings)))]
        for i in self._pick(orders, "timestamp_with_offset", "order_timestamp_with_offset"):
            utc = datetime.strptime(orders[i].ordered_at, "%Y-%m-%d %H:%M:%S")
            hours = int(rng.choice([-5, 1, 2, 8]))
            local = utc + timedelta(hours=hours)
            offset = f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"
            orders[i].ordered_at = local.strftime("%Y-%m-%dT%H:%M:%S") + offset

    def _line_faults(self, items: list[OrderItem]) -> None:
        """Unknown products; non-positive quantities (never on a line with an unknown product)."""
        rng = self.rng
        unknown = {int(i) for i in self._pick(items, "unknown_product", "order_item_unknown_product")}
        for i in unknown:  # a set's order, as it always was: the same for the same indexes
            items[i].product_id = 99000 + int(rng.integers(0, 999))
        rest = [i for i in range(len(items)) if i not in unknown]
        k = tally(self.faults, "order_item_non_positive_quantity",
                  round(simulate.FAULT_RATES["non_positive_quantity"] * len(items)))
        for i in rng.choice(rest, size=k, replace=False):
            items[i].quantity = -int(rng.integers(0, 3))

    def _duplicate(self, records: list[R], rate: str, table: str) -> None:
        """Exact duplicate loads: a copy of some records, up to two records after the original."""
        for i in sorted(self._pick(records, rate, f"{table}_exact_duplicate"), reverse=True):
            # A copy, not the same record twice: an edit of one must leave the other as it was.
            records.insert(int(i) + 1 + int(self.rng.integers(0, 3)), copy(records[int(i)]))
