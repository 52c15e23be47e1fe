"""Each person's lifetime: active spans, the days of their organic orders, their tickets, and its truth.

``Lifetimes.live`` walks a person's time forward (see simulate's module docs for the rules):
spans open with an order, orders arrive as a Poisson process with the seasonal intensity, some
orders lead to a service ticket (``service.ServiceDesk``) whose failures raise the churn hazard,
and a span ends where its one exponential draw is spent along the piecewise-constant hazard.
It fills ``Person.spans`` and ``Person.order_days`` (the orders family writes those orders) and
writes the truth_customers, truth_spans and truth_hazard_steps tables.
"""

from __future__ import annotations

import heapq
import math

from . import reference as ref
from . import simulate
from .draws import Draws
from .people import Person
from .records import TruthCustomer, TruthHazardStep, TruthSpan
from .service import ServiceDesk, ServiceEvent
from .simulate import Reference, iso


class Lifetimes:
    """Simulates each person's active spans, organic order days and service tickets; writes their truth."""

    def __init__(self, reference: Reference, rng: Draws, service: ServiceDesk, customers: list[TruthCustomer],
                 spans: list[TruthSpan], hazard_steps: list[TruthHazardStep]) -> None:
        self.ref, self.rng, self.service = reference, rng, service
        self.customers, self.spans, self.hazard_steps = customers, spans, hazard_steps

    def _candidate_order_days(self, start: int, per_day: float) -> list[int]:
        """Days of the orders from ``start`` to the end of the history should the customer stay active.

        An order on ``start`` (a span opens with one), then a Poisson process of ``per_day`` orders a
        day times the seasonal intensity; the caller keeps those before the span ends. Sorted.
        """
        rng = self.rng
        season_sum = self.ref.season_sum
        low, high = season_sum[start], season_sum[-1]
        count = int(rng.poisson(per_day * (high - low)))
        if not count:
            return [start]
        # A day with probability proportional to its intensity: invert the running sum of intensities.
        days = season_sum.searchsorted(low + rng.randoms(count) * (high - low), side="right") - 1
        return [start, *sorted(days.tolist())]

    def live(self, p: Person) -> None:
        """The person's active spans, the days of their organic orders and their service tickets.

        Walks time forward through each span: orders (and the tickets they lead to) and service
        events in time order, spending one exponential draw per span along the piecewise-constant
        hazard; the span ends where the draw is spent. Records the truth as it goes.
        """
        rng = self.rng
        n_days = len(self.ref.days)
        value_slowdown = 1 + simulate.VALUE_CHURN_SLOWDOWN * min(p.value, simulate.VALUE_CHURN_CAP)
        base_hazard = 1.0 / (simulate.CHURN_MEAN_DAYS * value_slowdown)  # per day
        orders_per_year = (simulate.INTERNAL_ORDERS_PER_YEAR if p.is_internal
                           else simulate.ORDERS_PER_YEAR * p.value ** simulate.ORDERS_VALUE_ELASTICITY)
        per_day = orders_per_year / 365.0
        has_tickets = p.customer_id != 0  # web-only shoppers are unknown to the service desk
        ticket_probability = simulate.TICKET_PER_ORDER_PROBABILITY
        max_multiplier = simulate.MAX_SERVICE_HAZARD_MULTIPLIER
        pending: list[ServiceEvent] = []  # a heap, in time order
        multiplier = 1.0
        counts = {"complaint": 0, "poor_service": 0}
        steps = self.hazard_steps
        customer_id = p.customer_id or None
        order_days, random = p.order_days, rng.random

        def apply(event: ServiceEvent) -> float:
            counts[event.cause] += 1
            raised = min(multiplier * event.multiplier, max_multiplier)
            steps.append(TruthHazardStep(
                customer_id=customer_id, web_account_id=p.web_account_id, ticket_id=event.ticket_id,
                cause=event.cause, changed_at=event.stamped, service_hazard_multiplier=raised,
                churn_hazard_per_year=365.0 * base_hazard * raised,
            ))
            return raised

        if p.signup < ref.HISTORY_START:  # existing customers: next purchase some time in the first months
            start = int(rng.integers(0, 120))
        else:
            start = (p.signup - ref.HISTORY_START).days + int(rng.exponential(25))
        while start < n_days:
            while pending and pending[0].at <= start:  # service events while inactive count from now on
                multiplier = apply(heapq.heappop(pending))
            candidates = self._candidate_order_days(start, per_day)
            n_candidates = len(candidates)
            now, budget = float(start), float(rng.exponential(1.0))  # the span ends where budget is spent
            hazard = base_hazard * multiplier
            ends_at: float | None = None
            i = 0
            while True:
                next_order = candidates[i] if i < n_candidates else n_days
                next_event = pending[0].at if pending else n_days  # events fall within the history
                until = next_event if next_event <= next_order else next_order  # noqa: FURB136 (cheaper than min here)
                spend = hazard * (until - now)
                if budget <= spend:
                    ends_at = now + budget / hazard
                    break
                budget -= spend
                now = until
                if until >= n_days:
                    break  # active at the end of the history
                if next_event <= next_order:  # an event on an order's day comes first
                    multiplier = apply(heapq.heappop(pending))
                    hazard = base_hazard * multiplier
                    continue
                order_days.append(next_order)
                i += 1
                if has_tickets and random() < ticket_probability:
                    for event in self.service.ticket(p.customer_id, next_order):
                        heapq.heappush(pending, event)
            inactive_from = None if ends_at is None else math.ceil(ends_at)
            p.spans.append((start, inactive_from))
            if inactive_from is None or rng.random() > simulate.REACTIVATION_PROBABILITY:
                break
            start = inactive_from + int(rng.integers(*simulate.REACTIVATION_GAP_DAYS))
        while pending and pending[0].at < n_days:  # service events after the last span still count
            multiplier = apply(heapq.heappop(pending))
        self._truth(p, orders_per_year, base_hazard, multiplier, counts)

    def _truth(self, p: Person, orders_per_year: float, base_hazard: float, multiplier: float,
               counts: dict[str, int]) -> None:
        """The person's truth_spans and truth_customers rows, once their lifetime is simulated."""
        customer_id = p.customer_id or None
        n_days = len(self.ref.days)
        day_texts = self.ref.day_texts

        def day_text(day: int | None) -> str | None:
            return None if day is None else day_texts[day]

        for number, (start, end) in enumerate(p.spans, start=1):
            self.spans.append(TruthSpan(
                customer_id=customer_id, web_account_id=p.web_account_id, span_number=number,
                active_from=day_texts[start], inactive_from=day_text(end),
            ))
        last_end = p.spans[-1][1] if p.spans else None
        self.customers.append(TruthCustomer(
            customer_id=customer_id, web_account_id=p.web_account_id, is_internal=p.is_internal,
            signup_on=iso(p.signup), value=p.value, orders_per_year=orders_per_year,
            base_churn_hazard_per_year=365.0 * base_hazard, service_hazard_multiplier_at_end=multiplier,
            churn_hazard_per_year_at_end=365.0 * base_hazard * multiplier, complaints=counts["complaint"],
            poor_service_tickets=counts["poor_service"], active_spans=len(p.spans),
            first_active_on=day_text(p.spans[0][0]) if p.spans else None, inactive_from=day_text(last_end),
            is_active_at_end=bool(p.spans) and (last_end is None or last_end >= n_days),
        ))
