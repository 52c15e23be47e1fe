"""Service tickets: the service_tickets table and the service failures that raise a customer's churn hazard.

A CRM customer's organic order leads to a ticket now and then (``lifetimes`` decides which, in
time order); ``ServiceDesk.ticket`` writes it and returns the failures it holds, which the
lifetime applies to the hazard from the moment they happen.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import timedelta

from . import reference as ref
from . import simulate
from .draws import Draws, cdf
from .records import Counters, ServiceTicket
from .simulate import Reference, stamp


@dataclass(order=True)
class ServiceEvent:
    """A service failure that raises the churn hazard from ``at`` (days since HISTORY_EPOCH) on."""

    at: float
    ticket_id: int  # chunk-local, unique within the chunk: breaks ties in time order
    cause: str  # complaint | poor_service
    multiplier: float
    stamped: str = field(compare=False)  # ``at`` as the ticket's opened_at or closed_at text


# Fixed choice(p=...) weights as cdfs (see draws.cdf).
_TICKET_CATEGORY_CDF = cdf([0.45, 0.2, 0.2, 0.15])
_TICKET_PRIORITY_CDF = cdf([0.35, 0.4, 0.2, 0.05])
_TICKET_CHANNEL_CDF = cdf([0.45, 0.3, 0.15, 0.1])


class ServiceDesk:
    """Opens a chunk's service tickets; writes the service_tickets table."""

    def __init__(self, reference: Reference, rng: Draws, ids: Counters, tickets: list[ServiceTicket]) -> None:
        self.ref, self.rng, self.ids, self.tickets = reference, rng, ids, tickets

    def ticket(self, customer_id: int, order_day: int) -> list[ServiceEvent]:
        """A ticket about the customer's order of ``order_day``; returns the service failures it holds.

        A complaint counts when the ticket opens; poor service (a low satisfaction score) when it closes.
        """
        rng = self.rng
        day = order_day + int(rng.integers(1, 30))
        if day >= len(self.ref.days):
            return []
        hour = int(rng.integers(7, 22))
        opened = self.ref.midnights[day] + timedelta(hours=hour)
        category = ref.TICKET_CATEGORIES[bisect_right(_TICKET_CATEGORY_CDF, rng.random())]
        priority = ref.TICKET_PRIORITIES[bisect_right(_TICKET_PRIORITY_CDF, rng.random())]
        hours = float(rng.gamma(2.0, 18.0 if category != "repair" else 60.0))
        closed = opened + timedelta(hours=hours)
        still_open = rng.random() < 0.03 or closed.date() > ref.HISTORY_END
        expectation = int(rng.integers(3, 6))
        score = 5.2 - hours / 40 - (0.8 if category == "complaint" else 0) + rng.normal(0, 0.7)
        satisfaction = min(max(round(score), 1), 5)
        channel = ("call_centre", "web", "store", "app")[bisect_right(_TICKET_CHANNEL_CDF, rng.random())]
        self.ids.ticket_id += 1
        ticket_id = self.ids.ticket_id
        opened_text, closed_text = stamp(opened), None if still_open else stamp(closed)
        self.tickets.append(ServiceTicket(
            ticket_id=ticket_id, customer_id=customer_id, channel=channel, category=category, priority=priority,
            opened_at=opened_text, closed_at=closed_text, satisfaction_score=None if still_open else satisfaction,
            expectation_score=None if still_open else expectation,
        ))
        events = []
        opened_at = day + hour / 24.0
        if category == "complaint":
            events.append(ServiceEvent(opened_at, ticket_id, "complaint", simulate.COMPLAINT_HAZARD_MULTIPLIER,
                                       opened_text))
        if closed_text is not None and satisfaction <= simulate.POOR_SERVICE_SATISFACTION:
            events.append(ServiceEvent(opened_at + hours / 24.0, ticket_id, "poor_service",
                                       simulate.POOR_SERVICE_HAZARD_MULTIPLIER, closed_text))
        return events
