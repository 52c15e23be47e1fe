"""The sales funnel: leads, opportunities and their stage history.

Some customers came in as leads (converted, pointing at their customer) and prospects that
never became customers are leads too. Qualified and converted leads open opportunities that
move through ref.OPPORTUNITY_STAGES with a narrowing chance, sometimes skip a stage, and are
now and then lost and re-opened.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

from . import reference as ref
from .draws import Draws, cdf
from .people import Person
from .records import Counters, IdText, Lead, Opportunity, StageChange
from .simulate import Reference, stamp

# Fixed choice(p=...) weights as cdfs (see draws.cdf).
_LEAD_STATUS_CDF = cdf([0.15, 0.35, 0.2, 0.3])
_LEAD_SOURCE_CDF = cdf([0.35, 0.25, 0.2, 0.1, 0.1])


class Funnel:
    """Opens a chunk's leads and opportunities; writes leads, opportunities and opportunity_stage_history."""

    def __init__(self, reference: Reference, rng: Draws, ids: Counters, leads: list[Lead],
                 opportunities: list[Opportunity], stage_history: list[StageChange]) -> None:
        self.ref, self.rng, self.ids = reference, rng, ids
        self.leads, self.opportunities, self.stage_history = leads, opportunities, stage_history

    def run(self, customers: list[Person], prospects: int) -> None:
        """Leads of the customers who came in through one (most businesses), then of ``prospects`` others."""
        rng = self.rng
        for p in customers:
            if p.customer_type == "business" and rng.random() < 0.7 or rng.random() < 0.12:
                self._lead(p)
        for _ in range(prospects):
            self._lead(None)

    def _lead(self, p: Person | None) -> None:
        """A lead; converted leads point at their customer. Qualified leads open opportunities."""
        rng = self.rng
        self.ids.lead_id += 1
        lead_id = self.ids.lead_id
        country = p.country.code if p else ref.COUNTRIES[int(rng.integers(len(ref.COUNTRIES)))].code
        reps = self.ref.reps_by_country[country]
        rep = reps[int(rng.integers(len(reps)))]
        if p is not None:
            created = max(p.signup - timedelta(days=int(rng.integers(5, 60))), ref.HISTORY_START)
            status = "converted"
        else:
            created = self.ref.days[int(rng.integers(len(self.ref.days)))]
            status = ("new", "contacted", "qualified", "unqualified")[bisect_right(_LEAD_STATUS_CDF, rng.random())]
        campaign = None
        if rng.random() < 0.4:
            running = [c for c in self.ref.campaigns if c["start"] <= created <= c["end"]]  # type: ignore[operator]
            if running:
                campaign = int(running[int(rng.integers(len(running)))]["id"])  # type: ignore[call-overload]
        source = ("web", "field_sales", "call_centre", "partner", "store")[bisect_right(_LEAD_SOURCE_CDF, rng.random())]
        created_at = datetime.combine(created, datetime.min.time()) + timedelta(hours=int(rng.integers(8, 18)))
        company = None
        if p and p.customer_type == "business":
            company = f"{p.last_name} {ref.INDUSTRIES[int(rng.integers(6))].title()} Ltd"
        email: str | IdText | None
        if p:
            email = p.email
        else:
            email = IdText("lead", lead_id, f"@{ref.EMAIL_DOMAINS[int(rng.integers(len(ref.EMAIL_DOMAINS)))]}")
        converted_at = None
        if p:
            converted_at = stamp(datetime.combine(max(p.signup, created), datetime.min.time()) + timedelta(hours=12))
        self.leads.append(Lead(
            lead_id=lead_id, created_at=stamp(created_at), company_name=company, contact_email=email,
            source_channel=source, campaign_id=campaign, owner_sales_rep_id=rep, lead_status=status,
            converted_customer_id=p.customer_id if p else None, converted_at=converted_at,
        ))
        if status in ("qualified", "converted") and (p is None or p.customer_type == "business" or rng.random() < 0.3):
            self._opportunity(lead_id, p, rep, campaign, source, created_at, won_bias=status == "converted")

    def _opportunity(self, lead_id: int, p: Person | None, rep: int, campaign: int | None, source: str,
                     created_at: datetime, won_bias: bool) -> None:
        """An opportunity of the lead and the stages it went through (those up to the end of the history)."""
        rng = self.rng
        self.ids.opportunity_id += 1
        opp_id = self.ids.opportunity_id
        amount = float(round(rng.lognormal(8.5, 0.9), -1))
        path: list[str] = []
        # Each stage is reached with a probability; losing can happen from any stage.
        advance = (0.85, 0.75, 0.65, 0.60) if won_bias else (0.70, 0.55, 0.45, 0.40)
        for i, stage in enumerate(ref.OPPORTUNITY_STAGES):
            if i == 1 and rng.random() < 0.06:
                continue  # stage skipping: straight from prospecting to proposal
            path.append(stage)
            if rng.random() > advance[i]:
                break
        else:
            path.append("closed_won")
        if path[-1] != "closed_won":
            open_until_end = rng.random() < 0.15
            if not open_until_end:
                path.append("closed_lost")
                if rng.random() < 0.05:  # re-opened after being lost, then won
                    path.extend(["proposal", "negotiation", "closed_won"])
        when = created_at
        for stage in path:
            self.ids.stage_change_id += 1  # before the check: a stage past the history leaves a gap in the ids
            if when.date() > ref.HISTORY_END:
                break
            self.stage_history.append(StageChange(
                stage_change_id=self.ids.stage_change_id, opportunity_id=opp_id, stage=stage, changed_at=stamp(when),
            ))
            last_stage, last_when = stage, when
            when = when + timedelta(days=float(rng.gamma(2.0, 7.0)))
        self.opportunities.append(Opportunity(
            opportunity_id=opp_id, lead_id=lead_id,
            customer_id=p.customer_id if p and last_stage == "closed_won" else None, owner_sales_rep_id=rep, campaign_id=campaign, source_channel=source, amount_usd=amount, stage=last_stage,
            created_at=stamp(created_at), closed_at=stamp(last_when) if last_stage.startswith("closed") else None,
        ))
