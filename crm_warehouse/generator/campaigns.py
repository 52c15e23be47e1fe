"""Campaign touches: the campaign_touches table, its truth, and the orders of the customers who respond.

Campaigns touch the customers they reach in order of their start, after every lifetime is
simulated: whether a customer is lapsed at a touch depends on their spans. A touched customer
responds with ``simulate.response_probability``; a responder orders shortly after (through the
orders family), in the campaign's channel.
"""

from __future__ import annotations

from datetime import date
from operator import itemgetter

import numpy as np

from . import reference as ref
from . import simulate
from .draws import Draws
from .orders import Orders
from .people import Person
from .records import CampaignTouch, Counters, TruthTouch
from .simulate import Reference, response_probability


class Campaigns:
    """Touches a chunk's customers; writes campaign_touches and truth_touches, and the responders' orders."""

    def __init__(self, reference: Reference, rng: Draws, ids: Counters, orders: Orders,
                 touches: list[CampaignTouch], truth: list[TruthTouch]) -> None:
        self.ref, self.rng, self.ids, self.orders = reference, rng, ids, orders
        self.touches, self.truth = touches, truth

    def touch(self, people: list[Person]) -> None:
        """Campaigns in order of their start touch the customers they reach; some respond and buy."""
        rng = self.rng
        signups = np.array([p.signup.toordinal() for p in people])
        external = np.array([not p.is_internal for p in people], dtype=bool)
        n_days = len(self.ref.days)
        stamp_at = self.ref.stamp_at
        for campaign in sorted(self.ref.campaigns, key=itemgetter("start", "id")):
            start: date = campaign["start"]  # type: ignore[assignment]
            eligible = np.flatnonzero((signups <= start.toordinal()) & external)  # indexes into people, in order
            if not len(eligible):
                continue
            reached = eligible[rng.randoms(len(eligible)) < campaign["reach"]]  # type: ignore[operator]
            campaign_id: int = campaign["id"]  # type: ignore[assignment]
            campaign_type: str = campaign["type"]  # type: ignore[assignment]
            response_rate: float = campaign["response_rate"]  # type: ignore[assignment]
            channel = next(i for i, ch in enumerate(ref.CHANNELS) if ch.code == campaign["channel"])
            start_day = (start - ref.HISTORY_START).days
            for i in reached.tolist():
                p = people[i]
                # seconds since HISTORY_EPOCH: 0-6 days and 8-19 hours into the campaign
                touched = 86400 * (start_day + rng.integers(*simulate.TOUCH_DAYS)) + 3600 * rng.integers(8, 20)
                earlier = sum(1 for at in p.responded_at if at < touched) if p.responded_at else 0
                lapsed = p.is_lapsed(touched // 86400)
                probability = response_probability(response_rate, p.value, earlier, lapsed)
                responded = rng.random() < probability
                responded_at = None
                if responded:
                    responded_at = touched + 3600 * rng.integers(*simulate.RESPONSE_HOURS)
                    p.responded_at.append(responded_at)
                    order_day = responded_at // 86400 + rng.integers(*simulate.RESPONSE_ORDER_DAYS)
                    if order_day < n_days:
                        self.orders.add(p, order_day, campaign_id=campaign_id, channel=channel)
                self.ids.touch_id += 1
                touched_at = stamp_at(touched)
                responded_text = None if responded_at is None else stamp_at(responded_at)
                # Fields by position: keyword arguments would double the cost of these records (see orders).
                touch_id = self.ids.touch_id
                self.touches.append(CampaignTouch(touch_id, campaign_id, p.customer_id, touched_at, campaign_type,
                                                  responded, responded_text))
                self.truth.append(TruthTouch(touch_id, campaign_id, p.customer_id, touched_at, earlier, lapsed,
                                             probability, responded, responded_text))
