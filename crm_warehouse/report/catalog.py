"""Every figure of the report, grouped in the sections a reader sees, in page order."""

from __future__ import annotations

from dataclasses import dataclass

from . import figures_channels as channels
from . import figures_customers as customers
from . import figures_predictive as predictive
from . import figures_sales as sales
from .spec import FigureSpec


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    figures: tuple[FigureSpec, ...]


SECTIONS: tuple[Section, ...] = (
    Section("sales", "Sales", (sales.REVENUE_TREND,)),
    Section("customers", "Customers", (customers.VALUE_PYRAMID, customers.RFM_SEGMENTS, customers.RFM_MOVEMENT,
                                       customers.LIFECYCLE_TRANSITIONS, customers.CHURN, customers.COHORT_RETENTION)),
    Section("predictions", "Predictions", (predictive.CHURN_OFFER, predictive.MODEL_ACCURACY, predictive.CLUSTERS)),
    Section("channels", "Channels and campaigns", (channels.CHANNEL_MIX, channels.MULTICHANNEL_VALUE,
                                                   sales.CAMPAIGN_RETURN)),
    Section("sales-team", "Sales team", (sales.SALES_FUNNEL, sales.REP_WIN_RATE)),
    Section("service", "Customer service", (channels.SERVICE_LOAD, customers.SATISFACTION)),
    Section("products", "Products", (channels.PRODUCT_AFFINITY,)),
    Section("quality", "Data quality", (channels.QUARANTINE,)),
)

FIGURES: tuple[FigureSpec, ...] = tuple(figure for section in SECTIONS for figure in section.figures)
