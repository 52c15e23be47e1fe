"""Orders and their lines: the orders and order_items tables.

``Orders.add`` places one order of a person on a day (an organic order of their lifetime, or a
campaign responder's order) with its basket: products of the person's preferred categories,
pulling in partner categories (product affinity), discounted more for the price sensitive.
``ChangeClock`` stamps when the source last changed each order and line (updated_at) from a
random stream of its own, so every other value is the same with or without it.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from . import reference as ref
from . import simulate
from .draws import Draws, cdf
from .people import Person
from .records import Counters, Order, OrderItem
from .simulate import Offer, Reference, round_cents


class ChangeClock:
    """Draws the source change times of orders and order lines, capped at the extract end.

    Times are whole seconds since the start of the history (HISTORY_EPOCH).
    """

    end = int((simulate.EXTRACT_END - simulate.HISTORY_EPOCH).total_seconds())

    def __init__(self, seed: int, chunk: int) -> None:
        stream = np.random.SeedSequence([seed, chunk + 1, simulate.UPDATED_AT_STREAM])
        self.rng = Draws(np.random.default_rng(stream))

    def _later(self, start: int, low_seconds: int, high_seconds: int) -> int:
        return min(start + self.rng.integers(low_seconds, high_seconds), self.end)

    def order(self, ordered_at: int, status: str) -> tuple[int, int]:
        """When the source created the order and last changed its header: (created_at, updated_at).

        Completed: minutes to two hours later; cancelled: within a day; returned: the return date.
        """
        created_at = self._later(ordered_at, 1, 300)
        if status == "completed":
            updated_at = self._later(created_at, 120, 2 * 3600)
        elif status == "cancelled":
            updated_at = self._later(created_at, 600, 26 * 3600)
        elif self.rng.random() < simulate.LATE_RETURN_PROBABILITY:
            updated_at = self._later(created_at, 60 * 86400, 400 * 86400)
        else:
            updated_at = self._later(created_at, 3600, 30 * 86400)
        return created_at, updated_at

    def line(self, order_created_at: int) -> int:
        """A line changes with its order's creation, except the few corrected days to months later."""
        if self.rng.random() < simulate.LINE_CORRECTION_PROBABILITY:
            return self._later(order_created_at, 86400, 180 * 86400)
        return order_created_at


_HOUR_WEIGHTS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 5, 5.5, 6, 5.5, 5, 5, 5.5, 6, 6.5, 7, 6, 4.5, 3, 2],
                         dtype=float)
_HOUR_WEIGHTS /= _HOUR_WEIGHTS.sum()
_HOUR_CDF = cdf(_HOUR_WEIGHTS)  # a fixed choice(p=...) as a cdf (see draws.cdf)
_DISCOUNTS = (0.05, 0.10, 0.15, 0.20, 0.30)
# category -> partner categories, in the order of ref.AFFINITY_CATEGORY_PAIRS
_AFFINITY_PARTNERS: dict[str, tuple[str, ...]] = {
    left: tuple(right for other, right in ref.AFFINITY_CATEGORY_PAIRS if other == left)
    for left, _ in ref.AFFINITY_CATEGORY_PAIRS
}


class Orders:
    """Places a chunk's orders; writes the orders and order_items tables."""

    def __init__(self, reference: Reference, rng: Draws, clock: ChangeClock, ids: Counters,
                 orders: list[Order], items: list[OrderItem]) -> None:
        self.ref, self.rng, self.clock, self.ids = reference, rng, clock, ids
        self.orders, self.items = orders, items

    def _pick_channel(self, p: Person, day: int) -> int:
        if p.single_channel or self.rng.random() < 0.6:
            return p.preferred_channel
        return bisect_right(self.ref.channel_cdfs[day], self.rng.random())

    def _pick_product(self, offers: dict[str, Offer], category: str) -> int | None:
        """A product of the category weighted by popularity (no draw when none is on sale)."""
        offer = offers.get(category)
        if offer is None:
            return None
        products, popularity_cdf = offer
        return products[bisect_right(popularity_cdf, self.rng.random())]

    def _basket(self, p: Person, day: int) -> list[int]:
        rng = self.rng
        cat = self.ref.catalogue
        offers = cat.offers(self.ref.days[day])
        n_lines = 1 + int(rng.poisson(0.6 + 0.25 * min(p.value, 4)))
        products: list[int] = []
        for _ in range(n_lines):
            category = cat.category_names[bisect_right(p.category_cdf, rng.random())]
            pid = self._pick_product(offers, category)
            if pid is None or pid in products:
                continue
            products.append(pid)
            for partner_category in _AFFINITY_PARTNERS.get(category, ()):
                if rng.random() < 0.45:
                    partner = self._pick_product(offers, partner_category)
                    if partner is not None and partner not in products:
                        products.append(partner)
        if not products:
            fallback = self._pick_product(offers, "Snacks") or cat.products_by_category["Snacks"][0]
            products.append(fallback)
        return products

    def add(self, p: Person, day: int, campaign_id: int | None = None, channel: int | None = None) -> None:
        """An order of the person on ``day`` (index), with its lines.

        campaign_id and channel (an index into ref.CHANNELS): a campaign responder's order, in the
        campaign's channel; else the person's usual channel.
        """
        rng = self.rng
        self.ids.order_id += 1
        order_id = self.ids.order_id
        channel = self._pick_channel(p, day) if channel is None else channel
        ch = ref.CHANNELS[channel]
        hour = bisect_right(_HOUR_CDF, rng.random())
        minute = rng.integers(60)
        ordered_at = 86400 * day + 3600 * hour + 60 * minute + rng.integers(60)  # seconds since HISTORY_EPOCH
        roll = rng.random()
        completed_share = simulate.COMPLETED_ORDER_SHARE
        status = "completed" if roll < completed_share else (
            "returned" if roll < completed_share + simulate.RETURNED_ORDER_SHARE else "cancelled")
        store_id = self.ref.store_by_city[p.city] if ch.code == "store" else None
        rep_id = None
        if ch.code in ("field_sales", "call_centre"):
            reps = self.ref.reps_by_country[p.country.code]
            rep_id = reps[p.customer_id % len(reps)]
        currency = p.country.currency
        if p.customer_type == "business" and rng.random() < 0.5:
            currency = ref.REPORTING_CURRENCY
        # Web and app orders of customers with a web account carry the web-shop identity only.
        customer_id: int | None = p.customer_id
        web_account_id = None
        if ch.is_online and p.web_account_id is not None and rng.random() < 0.8:
            customer_id, web_account_id = None, p.web_account_id
        if p.customer_id == 0:  # web-only shopper: known to the web shop only
            customer_id, web_account_id = None, p.web_account_id
        created_at, updated_at = self.clock.order(ordered_at, status)
        stamp_at = self.ref.stamp_at
        # Fields by position here and in the lines: the class call of a record packs keyword
        # arguments into a dict, which costs as much again as the record on these hot paths.
        self.orders.append(Order(order_id, customer_id, web_account_id, stamp_at(ordered_at), ch.code, store_id,
                                 rep_id, campaign_id, status, currency, stamp_at(updated_at)))
        self._lines(p, day, order_id, campaign_id, currency, created_at)

    def _lines(self, p: Person, day: int, order_id: int, campaign_id: int | None, currency: str,
               created_at: int) -> None:
        """The order's lines: its basket, priced in the order's currency, some discounted."""
        rng = self.rng
        rate = self.ref.usd_rates[currency][day]
        discount_threshold = 0.6 * (p.price_sensitivity + (0.25 if campaign_id is not None else 0.0)
                                    + (0.15 if self.ref.days[day].month == 11 else 0.0))
        catalogue = self.ref.catalogue
        cheap_products, list_price = catalogue.cheap_products, catalogue.list_price
        is_business = p.customer_type == "business"
        items, stamp_at = self.items, self.ref.stamp_at
        random, line_changed_at = rng.random, self.clock.line
        first_item_id = self.ids.order_item_id
        basket = self._basket(p, day)
        for line_number, pid in enumerate(basket, start=1):
            quantity = 1 + (int(rng.poisson(1.2)) if pid in cheap_products else int(random() < 0.08))
            if is_business:
                quantity *= rng.integers(1, 6)
            unit_price = round_cents(list_price[pid] / rate)
            discount = 0.0
            if random() < discount_threshold:
                # = rng.choice([0.05, ...]): choice without p draws integers(0, n)
                discount = round_cents(unit_price * quantity * _DISCOUNTS[rng.integers(len(_DISCOUNTS))])
            items.append(OrderItem(first_item_id + line_number, order_id, line_number, pid, quantity, unit_price,
                                   discount, stamp_at(line_changed_at(created_at))))
        self.ids.order_item_id = first_item_id + len(basket)
