"""Simulates one chunk of customers: the family simulators, run in the chunk's draw order.

``ChunkSimulator`` gives every family simulator the chunk's one random stream, its id counters
and the record lists that family writes, then runs them in the order that fixes the output
(simulate's module docs describe it): people, lifetimes with their orders, campaign touches,
the sales funnel, planted faults. ``ChunkRows`` is what a chunk hands on: its records with
chunk-local ids, its planted-fault counts and the ids it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from .campaigns import Campaigns
from .draws import Draws
from .faults import FaultPlanter
from .funnel import Funnel
from .lifetimes import Lifetimes
from .orders import ChangeClock, Orders
from .people import People
from .records import Counters, SourceRecords, TruthRecords, Values
from .service import ServiceDesk
from .simulate import Reference


@dataclass
class ChunkRows:
    """One chunk's records with chunk-local ids, its planted-fault counts and the ids it used."""

    sources: SourceRecords
    faults: dict[str, int]
    used: Counters
    truth: TruthRecords

    def numbered(self, before: Counters) -> dict[str, Values]:
        """The source tables' values column by column, ids numbered on from ``before`` (the ids of earlier chunks)."""
        return self.sources.numbered(before)

    def numbered_truth(self, before: Counters) -> dict[str, Values]:
        """The truth tables' values, numbered alike."""
        return self.truth.numbered(before)


class ChunkSimulator:
    """Generates every customer-driven table, and its truth, for one chunk of customers."""

    def __init__(self, reference: Reference, seed: int, chunk: int, first_customer_id: int, size: int) -> None:
        self.first_customer_id, self.size = first_customer_id, size
        # One stream for every family: the order of their draws is the output (see simulate).
        self.rng = rng = Draws(np.random.default_rng(np.random.SeedSequence([seed, chunk + 1])))
        self.ids = ids = Counters.zero()  # ids are chunk-local until ChunkRows.numbered
        self.faults: dict[str, int] = {}
        self.sources = out = SourceRecords()
        self.truth = truth = TruthRecords()
        self.people = People(reference, rng, ids, self.faults, out.customers, out.web_accounts)
        self.orders = Orders(reference, rng, ChangeClock(seed, chunk), ids, out.orders, out.order_items)
        self.service = ServiceDesk(reference, rng, ids, out.service_tickets)
        self.lifetimes = Lifetimes(reference, rng, self.service, truth.truth_customers, truth.truth_spans,
                                   truth.truth_hazard_steps)
        self.campaigns = Campaigns(reference, rng, ids, self.orders, out.campaign_touches, truth.truth_touches)
        self.funnel = Funnel(reference, rng, ids, out.leads, out.opportunities, out.opportunity_stage_history)
        self.fault_planter = FaultPlanter(rng, self.faults)

    def run(self) -> ChunkRows:
        """Simulates the chunk (call once)."""
        customers = self.people.crm_customers(self.first_customer_id, self.size)
        shoppers = self.people.web_only_shoppers(round(0.12 * self.size))
        for p in customers + shoppers:
            self.lifetimes.live(p)
            for day in p.order_days:
                self.orders.add(p, day)
        self.campaigns.touch(customers)
        self.funnel.run(customers, prospects=round(0.35 * self.size))
        # Orders and lines in id order: campaign responders' orders were placed after everyone's lifetime.
        self.sources.orders.sort(key=attrgetter("order_id"))
        self.sources.order_items.sort(key=attrgetter("order_item_id"))
        self.fault_planter.plant(self.sources)
        return ChunkRows(self.sources, self.faults, self.ids, self.truth)
