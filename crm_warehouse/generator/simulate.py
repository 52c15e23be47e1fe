"""Simulates the operational CRM of an omnichannel retailer.

The business behaviour the marts must find is built in on purpose:

* Pareto value: each customer has a latent value drawn from a heavy-tailed distribution that
  drives both how often they buy and how much they spend per basket.
* Seasonality: monthly factors (December peak, February trough) and a weekly cycle.
* Churn a model can see: a customer buys in active spans. A span starts with an order and ends
  when a churn hazard fires (a piecewise-constant hazard, drawn by inversion: one exponential
  draw per span, spent along the hazard's steps). The hazard falls with the customer's value
  and rises at every service failure: by COMPLAINT_HAZARD_MULTIPLIER when a complaint ticket
  is opened, by POOR_SERVICE_HAZARD_MULTIPLIER when a ticket closes with a satisfaction score
  of POOR_SERVICE_SATISFACTION or less (in all at most MAX_SERVICE_HAZARD_MULTIPLIER). Orders
  arrive while a span lasts (a Poisson process with the seasonal intensity, at a rate that
  grows with value); each one leads to a service ticket with TICKET_PER_ORDER_PROBABILITY, so
  tickets are simulated with the span they can shorten, in time order.
* Reactivation: after a span ends, the customer comes back with REACTIVATION_PROBABILITY
  REACTIVATION_GAP_DAYS later, with the service history they had.
* Campaign response: a touched customer responds with the campaign's rate, more often when of
  high value and for every earlier response to a campaign, much less often when lapsed (not in
  an active span); responders place an order shortly after responding (for a lapsed customer a
  one-off order: it does not start a new span).
* Product affinity: some categories pull a product of a partner category into the basket.
* Channel mix shifting from the store towards web and app over the history.
* A narrowing sales funnel with stage skipping and re-opened opportunities.

The constants that set these effects are the generator's business rules (below, each with a
comment). Beside the source tables the simulation keeps the ground truth of the latent
behaviour (TRUTH_TABLES: spans, hazard steps, response probabilities), which is never a
source: ``truth.py`` describes it and reads it, ``generate --truth-dir`` writes it.

Customers are simulated in chunks; each chunk has its own random stream derived from the
seed and the chunk number, so output is byte-for-byte reproducible for a given seed and
chunk size, and memory is bounded by the chunk size. A chunk numbers the ids that run on
across chunks (orders, order lines, accounts, ...) from zero; ``ChunkRows.numbered`` shifts
them past the ids of the chunks before it, so chunks can be simulated in parallel.

Draw order within a chunk: the people (and their customer rows and web accounts, then the
web-only shoppers); then each person's lifetime in turn (spans with their orders' days and
tickets, in time order), then that person's orders; then the campaigns in order of their
start, each touching its reached customers in order; then leads and the funnel; last the
planted faults. The draws go through ``draws.Draws`` and ``draws.cdf``: the same stream values
as the numpy Generator calls they stand for, at a fraction of the cost. Any change to the
order or kind of draws changes the output (and the committed seeds).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from dataclasses import astuple, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from operator import itemgetter

import numpy as np

from . import reference as ref
from .draws import Draws, cdf

Row = tuple[object, ...]

# Column layout of every source table: (column, kind). The seeds' column types in
# seeds/_crm__seeds.yml follow these.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "product_categories": (("category_id", "int"), ("category_name", "str"), ("parent_category_id", "int")),
    "products": (
        ("product_id", "int"), ("sku", "str"), ("product_name", "str"), ("category_id", "int"),
        ("brand", "str"), ("list_price_usd", "float"), ("unit_cost_usd", "float"),
        ("launched_on", "str"), ("discontinued_on", "str"),
    ),
    "channels": (
        ("channel_id", "int"), ("channel_code", "str"), ("channel_name", "str"),
        ("channel_type", "str"), ("is_online", "bool"),
    ),
    "stores": (
        ("store_id", "int"), ("store_name", "str"), ("city", "str"), ("region", "str"),
        ("country_code", "str"), ("opened_on", "str"),
    ),
    "sales_reps": (
        ("sales_rep_id", "int"), ("first_name", "str"), ("last_name", "str"), ("team", "str"),
        ("region", "str"), ("country_code", "str"), ("hired_on", "str"),
    ),
    "campaigns": (
        ("campaign_id", "int"), ("campaign_name", "str"), ("campaign_type", "str"), ("channel", "str"),
        ("target_segment", "str"), ("starts_on", "str"), ("ends_on", "str"), ("budget_usd", "float"),
    ),
    "exchange_rates": (("rate_date", "str"), ("currency_code", "str"), ("usd_per_unit", "float")),
    "holidays": (("holiday_date", "str"), ("holiday_name", "str"), ("country_code", "str")),
    "customers": (
        ("customer_id", "int"), ("first_name", "str"), ("last_name", "str"), ("email", "str"),
        ("phone", "str"), ("gender", "str"), ("birth_date", "str"), ("income_band", "str"),
        ("education", "str"), ("marital_status", "str"), ("city", "str"), ("region", "str"),
        ("country_code", "str"), ("customer_type", "str"), ("industry", "str"),
        ("signup_date", "str"), ("signup_channel", "str"), ("updated_at", "str"),
    ),
    "web_accounts": (
        ("web_account_id", "int"), ("email", "str"), ("phone", "str"), ("first_name", "str"),
        ("last_name", "str"), ("country_code", "str"), ("registered_at", "str"), ("last_login_at", "str"),
    ),
    "leads": (
        ("lead_id", "int"), ("created_at", "str"), ("company_name", "str"), ("contact_email", "str"),
        ("source_channel", "str"), ("campaign_id", "int"), ("owner_sales_rep_id", "int"),
        ("lead_status", "str"), ("converted_customer_id", "int"), ("converted_at", "str"),
    ),
    "opportunities": (
        ("opportunity_id", "int"), ("lead_id", "int"), ("customer_id", "int"), ("owner_sales_rep_id", "int"),
        ("campaign_id", "int"), ("source_channel", "str"), ("amount_usd", "float"), ("stage", "str"),
        ("created_at", "str"), ("closed_at", "str"),
    ),
    "opportunity_stage_history": (
        ("stage_change_id", "int"), ("opportunity_id", "int"), ("stage", "str"), ("changed_at", "str"),
    ),
    "orders": (
        ("order_id", "int"), ("customer_id", "int"), ("web_account_id", "int"), ("ordered_at", "str"),
        ("channel", "str"), ("store_id", "int"), ("sales_rep_id", "int"), ("campaign_id", "int"),
        ("order_status", "str"), ("currency_code", "str"), ("updated_at", "str"),
    ),
    "order_items": (
        ("order_item_id", "int"), ("order_id", "int"), ("line_number", "int"), ("product_id", "int"),
        ("quantity", "int"), ("unit_price", "float"), ("discount_amount", "float"), ("updated_at", "str"),
    ),
    "campaign_touches": (
        ("touch_id", "int"), ("campaign_id", "int"), ("customer_id", "int"), ("touched_at", "str"),
        ("touch_channel", "str"), ("responded", "bool"), ("responded_at", "str"),
    ),
    "service_tickets": (
        ("ticket_id", "int"), ("customer_id", "int"), ("channel", "str"), ("category", "str"),
        ("priority", "str"), ("opened_at", "str"), ("closed_at", "str"), ("satisfaction_score", "int"),
        ("expectation_score", "int"),
    ),
}

# Ground truth of the latent behaviour, kept beside the source tables and never a source (see
# truth.py for what each column means). Dates are day texts, times 'YYYY-MM-DD HH:MM:SS'.
TRUTH_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "truth_customers": (
        ("customer_id", "int"), ("web_account_id", "int"), ("is_internal", "bool"), ("signup_on", "str"),
        ("value", "float"), ("orders_per_year", "float"), ("base_churn_hazard_per_year", "float"),
        ("service_hazard_multiplier_at_end", "float"), ("churn_hazard_per_year_at_end", "float"),
        ("complaints", "int"), ("poor_service_tickets", "int"), ("active_spans", "int"),
        ("first_active_on", "str"), ("inactive_from", "str"), ("is_active_at_end", "bool"),
    ),
    "truth_spans": (
        ("customer_id", "int"), ("web_account_id", "int"), ("span_number", "int"), ("active_from", "str"),
        ("inactive_from", "str"),
    ),
    "truth_hazard_steps": (
        ("customer_id", "int"), ("web_account_id", "int"), ("ticket_id", "int"), ("cause", "str"),
        ("changed_at", "str"), ("service_hazard_multiplier", "float"), ("churn_hazard_per_year", "float"),
    ),
    "truth_touches": (
        ("touch_id", "int"), ("campaign_id", "int"), ("customer_id", "int"), ("touched_at", "str"),
        ("earlier_responses", "int"), ("was_lapsed", "bool"), ("response_probability", "float"),
        ("responded", "bool"), ("responded_at", "str"),
    ),
}

REFERENCE_TABLES = (
    "product_categories", "products", "channels", "stores", "sales_reps", "campaigns",
    "exchange_rates", "holidays",
)

# Rates at which faults are planted into the customer-driven tables. Counts are exact
# functions of these rates and the table sizes; tests/test_planted_faults.py checks staging
# against the fault table in models/staging/crm/_stg_crm__docs.md.
FAULT_RATES = {
    "duplicate_customers": 0.01,
    "duplicate_orders": 0.008,
    "duplicate_order_items": 0.008,
    "duplicate_touches": 0.005,
    "status_misspelled": 0.10,
    "channel_misspelled": 0.10,
    "channel_missing": 0.015,
    "region_missing": 0.02,
    "unknown_product": 0.003,
    "non_positive_quantity": 0.003,
    "timestamp_with_offset": 0.002,
    "internal_accounts": 0.005,
}

# The extract ends with the last simulated day: no source change is stamped after it.
EXTRACT_END = datetime.combine(ref.HISTORY_END, time(23, 59, 59))
# Hot paths count time in whole seconds since the start of the history (see Reference.stamp_at).
HISTORY_EPOCH = datetime.combine(ref.HISTORY_START, time())
# Source change timestamps (orders.updated_at, order_items.updated_at) come from a random
# stream of their own: every other value of the extract is the same with or without them.
UPDATED_AT_STREAM = int.from_bytes(b"updated_at", "big")
LATE_RETURN_PROBABILITY = 0.13  # returns booked 60-400 days after the order
LINE_CORRECTION_PROBABILITY = 0.015  # lines corrected days to months later, no other value changed

MONTH_FACTORS = np.array([0.85, 0.70, 0.90, 0.95, 1.00, 0.95, 0.90, 0.95, 1.00, 1.05, 1.35, 1.60])
WEEKDAY_FACTORS = np.array([0.85, 0.85, 0.90, 0.95, 1.10, 1.30, 1.05])  # Monday..Sunday
YEARLY_GROWTH = 0.08

# -- Business rules of customer behaviour (the ground truth in truth.py follows them) --------
# Orders: a customer in an active span orders at ORDERS_PER_YEAR * value ** ORDERS_VALUE_ELASTICITY
# a year (times the seasonal intensity of the day, of mean 1); the retailer's test accounts at
# INTERNAL_ORDERS_PER_YEAR. Of the orders, these shares are completed or returned; the rest cancelled.
ORDERS_PER_YEAR = 1.0
ORDERS_VALUE_ELASTICITY = 0.9
INTERNAL_ORDERS_PER_YEAR = 2.0
COMPLETED_ORDER_SHARE = 0.90
RETURNED_ORDER_SHARE = 0.05
# Churn hazard (per day) before service events: 1 / (CHURN_MEAN_DAYS * (1 + VALUE_CHURN_SLOWDOWN *
# min(value, VALUE_CHURN_CAP))): a span lasts 700 days on average at value 0, 1,050 at the median
# value 1, up to 1,750 for the most valuable. Value lowers churn.
CHURN_MEAN_DAYS = 700.0
VALUE_CHURN_SLOWDOWN = 0.5
VALUE_CHURN_CAP = 3.0
# Service: a CRM customer's organic order leads to a ticket with this probability (opened 1-29
# days later; about one ticket per eight orders, as service desks of retailers see).
TICKET_PER_ORDER_PROBABILITY = 0.13
# Poor service and complaints raise churn, from the moment they happen and for good: a complaint
# ticket multiplies the hazard by 2.5 (customers who complain leave two to three times as often),
# a ticket closed with satisfaction <= 2 (of 5) by 2 (mostly long repairs); a complaint that is
# also badly served by 5. In all at most by 8: a median customer who keeps complaining still
# stays about four months on average. Effects this size show in a year's churn after a ticket
# (tests/python/test_ground_truth.py), so a model fed tickets can learn them.
COMPLAINT_HAZARD_MULTIPLIER = 2.5
POOR_SERVICE_SATISFACTION = 2
POOR_SERVICE_HAZARD_MULTIPLIER = 2.0
MAX_SERVICE_HAZARD_MULTIPLIER = 8.0
# Reactivation: after a span ends, the customer comes back with this probability, this many days
# later (integers in [low, high)): always more than a year, so the lifecycle sees them churn.
REACTIVATION_PROBABILITY = 0.30
REACTIVATION_GAP_DAYS = (380, 760)
# Campaign response: the campaign's rate, times HIGH_VALUE_RESPONSE_MULTIPLIER for a customer of
# value above HIGH_VALUE_RESPONSE_THRESHOLD, times (1 + EARLIER_RESPONSE_LIFT * earlier responses,
# counting at most EARLIER_RESPONSES_CAP): a customer who responded once responds twice as often,
# a habit a response model should learn; times LAPSED_RESPONSE_MULTIPLIER when not in an active
# span (lapsed customers rarely answer); at most MAX_RESPONSE_PROBABILITY.
# When (integers in [low, high)): the touch, days into the campaign; the response, hours after the
# touch; a responder's order, days after the response.
TOUCH_DAYS = (0, 7)
RESPONSE_HOURS = (1, 240)
RESPONSE_ORDER_DAYS = (0, 20)
HIGH_VALUE_RESPONSE_THRESHOLD = 1.5
HIGH_VALUE_RESPONSE_MULTIPLIER = 1.5
EARLIER_RESPONSE_LIFT = 1.0
EARLIER_RESPONSES_CAP = 3
LAPSED_RESPONSE_MULTIPLIER = 0.3
MAX_RESPONSE_PROBABILITY = 0.9


def seasonal_intensity(days: list[date]) -> np.ndarray:
    """How busy each day is for a customer's orders: month and weekday factors, of mean 1 over the days."""
    factors = np.array([MONTH_FACTORS[d.month - 1] * WEEKDAY_FACTORS[d.weekday()] for d in days])
    return factors / factors.mean()  # type: ignore[no-any-return]


def response_probability(campaign_rate: float, value: float, earlier_responses: int, lapsed: bool) -> float:
    """The chance that a touched customer responds (the campaign response rules above)."""
    probability = campaign_rate * (HIGH_VALUE_RESPONSE_MULTIPLIER if value > HIGH_VALUE_RESPONSE_THRESHOLD else 1.0)
    probability *= 1.0 + EARLIER_RESPONSE_LIFT * min(earlier_responses, EARLIER_RESPONSES_CAP)
    if lapsed:
        probability *= LAPSED_RESPONSE_MULTIPLIER
    return min(probability, MAX_RESPONSE_PROBABILITY)


def iso(d: date) -> str:
    return d.isoformat()


def stamp(ts: datetime) -> str:
    """'YYYY-MM-DD HH:MM:SS', fractions of a second cut off (as strftime does, three times faster)."""
    return ts.isoformat(" ", "seconds")


def round_cents(x: float) -> float:
    """``round(np.float64(x), 2)`` (numpy multiplies by 100, rounds half to even, divides) on a float."""
    return round(x * 100.0) / 100.0


class ChangeClock:
    """Draws the source change times of orders and order lines, capped at the extract end.

    Times are whole seconds since the start of the history (HISTORY_EPOCH).
    """

    end = int((EXTRACT_END - HISTORY_EPOCH).total_seconds())

    def __init__(self, seed: int, chunk: int) -> None:
        self.rng = Draws(np.random.default_rng(np.random.SeedSequence([seed, chunk + 1, UPDATED_AT_STREAM])))

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
        elif self.rng.random() < LATE_RETURN_PROBABILITY:
            updated_at = self._later(created_at, 60 * 86400, 400 * 86400)
        else:
            updated_at = self._later(created_at, 3600, 30 * 86400)
        return created_at, updated_at

    def line(self, order_created_at: int) -> int:
        """A line changes with its order's creation, except the few corrected days to months later."""
        if self.rng.random() < LINE_CORRECTION_PROBABILITY:
            return self._later(order_created_at, 86400, 180 * 86400)
        return order_created_at


Offer = tuple[list[int], list[float]]  # products on sale, cdf of their popularity (pick: see cdf)


@dataclass
class Catalogue:
    """Products and the lookups the simulation needs to pick them."""

    category_ids: dict[str, int]
    category_names: list[str]
    products_by_category: dict[str, list[int]]
    list_price: dict[int, float]
    popularity: dict[int, float]
    launched: dict[int, date]
    discontinued: dict[int, date | None]
    cheap_categories: frozenset[str] = frozenset({"Snacks", "Coffee & tea", "Decor", "Phone accessories"})

    def __post_init__(self) -> None:
        self.cheap_products = frozenset(pid for c in self.cheap_categories for pid in self.products_by_category[c])
        self._offers: dict[date, dict[str, Offer]] = {}  # filled on demand
        self._offer_of: dict[tuple[int, ...], Offer] = {}  # one Offer per set of products on sale

    def offers(self, day: date) -> dict[str, Offer]:
        """Categories with products on sale on a day -> those products and the cdf of their popularity."""
        found = self._offers.get(day)
        if found is None:
            found = self._offers[day] = {}
            for category, products in self.products_by_category.items():
                on_sale = tuple(pid for pid in products if self.launched[pid] <= day
                                and (self.discontinued[pid] is None or self.discontinued[pid] > day))  # type: ignore[operator]
                if on_sale and on_sale not in self._offer_of:
                    weights = np.array([self.popularity[pid] for pid in on_sale])
                    self._offer_of[on_sale] = (list(on_sale), cdf(weights / weights.sum()))
                if on_sale:
                    found[category] = self._offer_of[on_sale]
        return found


@dataclass
class Reference:
    rows: dict[str, list[Row]]
    catalogue: Catalogue
    days: list[date]
    day_weights: np.ndarray
    usd_per_unit: dict[str, np.ndarray]  # currency -> rate per day index
    store_by_city: dict[str, int]
    reps_by_country: dict[str, list[int]]
    campaigns: list[dict[str, object]]
    channel_weights: np.ndarray  # day index x channel

    def __post_init__(self) -> None:
        # Lookups derived without drawing: cdfs for choice(p=...) (see cdf) and midnight of each day.
        self.signup_cdf = cdf(self.day_weights / self.day_weights.sum())
        self.channel_cdfs = [cdf(weights) for weights in self.channel_weights]
        self.midnights = [datetime.combine(d, time()) for d in self.days]
        self.usd_rates = {currency: rates.tolist() for currency, rates in self.usd_per_unit.items()}
        # Orders' seasonal intensity per day (mean 1) and its running sum from day 0 (season_sum[k]: days < k).
        self.season = seasonal_intensity(self.days)
        self.season_sum = np.concatenate([[0.0], self.season.cumsum()])
        # Texts of the days (a year past the history for late changes) and of the seconds of a day.
        self.day_texts = [iso(HISTORY_EPOCH.date() + timedelta(days=i)) for i in range(len(self.days) + 366)]
        self._day_texts = [text + " " for text in self.day_texts]
        self._time_texts = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def stamp_at(self, seconds: int) -> str:
        """stamp() of the time ``seconds`` (>= 0) after the start of the history, from two lookups."""
        if seconds < 0:
            raise ValueError(f"stamp_at({seconds}): before the history")
        day, second = divmod(seconds, 86400)
        return self._day_texts[day] + self._time_texts[second]


@dataclass
class Counters:
    """Identifiers numbered on across chunks; the defaults are the last ids before the first chunk.

    A chunk counts its ids from zero (``Counters.zero()``), so chunks can be simulated in any
    order or in parallel; ``ChunkRows.numbered`` then shifts them past the ids of earlier chunks.
    """

    order_id: int = 100000
    order_item_id: int = 1000000
    web_account_id: int = 500000
    lead_id: int = 700000
    opportunity_id: int = 800000
    stage_change_id: int = 1
    touch_id: int = 1
    ticket_id: int = 900000

    @classmethod
    def zero(cls) -> Counters:
        return cls(*(0 for _ in fields(cls)))

    def after(self, used: Counters) -> Counters:
        """The last ids once a chunk that used ``used`` ids is numbered on from these."""
        return Counters(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(used))))


# Columns holding ids numbered on across chunks: table -> column -> counter. Text columns hold
# an IdText where the text embeds such an id.
NUMBERED_COLUMNS: dict[str, dict[str, str]] = {
    "orders": {"order_id": "order_id", "web_account_id": "web_account_id"},
    "order_items": {"order_item_id": "order_item_id", "order_id": "order_id"},
    "web_accounts": {"web_account_id": "web_account_id", "email": "web_account_id"},
    "leads": {"lead_id": "lead_id", "contact_email": "lead_id"},
    "opportunities": {"opportunity_id": "opportunity_id", "lead_id": "lead_id"},
    "opportunity_stage_history": {"stage_change_id": "stage_change_id", "opportunity_id": "opportunity_id"},
    "campaign_touches": {"touch_id": "touch_id"},
    "service_tickets": {"ticket_id": "ticket_id"},
    "truth_customers": {"web_account_id": "web_account_id"},
    "truth_spans": {"web_account_id": "web_account_id"},
    "truth_hazard_steps": {"web_account_id": "web_account_id", "ticket_id": "ticket_id"},
    "truth_touches": {"touch_id": "touch_id"},
}


@dataclass(frozen=True, slots=True)
class IdText:
    """Text embedding a chunk-local id (a made-up e-mail address), written once the id is final."""

    head: str
    local_id: int
    tail: str

    def render(self, offset: int) -> str:
        return f"{self.head}{self.local_id + offset}{self.tail}"


@dataclass
class ChunkRows:
    """One chunk's rows with chunk-local ids, its planted-fault counts and the ids it used."""

    rows: dict[str, list[list[object]]]
    faults: dict[str, int]
    used: Counters
    truth: dict[str, list[list[object]]] = field(default_factory=dict)  # TRUTH_TABLES' rows

    def numbered(self, before: Counters) -> dict[str, list[list[object]]]:
        """The rows with their final ids, numbered on from ``before`` (shifts the rows in place: call once).

        The truth rows (``self.truth``) are numbered alike.
        """
        for table, columns in NUMBERED_COLUMNS.items():
            rows = self.rows[table] if table in TABLES else self.truth.get(table, [])
            names = [name for name, _ in (TABLES.get(table) or TRUTH_TABLES[table])]
            shifts = [(names.index(column), getattr(before, counter)) for column, counter in columns.items()]
            for row in rows:
                for i, offset in shifts:
                    value = row[i]
                    if value.__class__ is int:
                        row[i] = value + offset  # type: ignore[operator]
                    elif value.__class__ is IdText:
                        row[i] = value.render(offset)  # type: ignore[union-attr]
        return self.rows


def build_reference(seed: int, scale: float) -> Reference:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    rows: dict[str, list[Row]] = {name: [] for name in REFERENCE_TABLES}
    days = [ref.HISTORY_START + timedelta(days=i) for i in range((ref.HISTORY_END - ref.HISTORY_START).days + 1)]
    day_index = np.arange(len(days))
    month = np.array([d.month for d in days]) - 1
    weekday = np.array([d.weekday() for d in days])
    day_weights = MONTH_FACTORS[month] * WEEKDAY_FACTORS[weekday] * (1 + YEARLY_GROWTH) ** (day_index / 365.0)

    # Category tree: departments are parents of categories.
    departments = sorted({dept for dept, *_ in ref.CATEGORY_TREE})
    category_ids: dict[str, int] = {}
    for i, dept in enumerate(departments, start=1):
        category_ids[dept] = i
        rows["product_categories"].append((i, dept, None))
    for i, (dept, name, *_rest) in enumerate(ref.CATEGORY_TREE, start=101):
        category_ids[name] = i
        rows["product_categories"].append((i, name, category_ids[dept]))

    products_per_category = max(6, int(round(12 * scale ** 0.25)))
    products_by_category: dict[str, list[int]] = {}
    list_price: dict[int, float] = {}
    popularity: dict[int, float] = {}
    launched: dict[int, date] = {}
    discontinued: dict[int, date | None] = {}
    product_id = 1000
    for _dept, name, brands, (low, high), (m_low, m_high) in ref.CATEGORY_TREE:
        products_by_category[name] = []
        for j in range(products_per_category):
            product_id += 1
            brand = brands[j % len(brands)]
            price = float(np.round(np.exp(rng.uniform(np.log(low), np.log(high))), 0) - 0.01)
            cost = round(price * (1 - rng.uniform(m_low, m_high)), 2)
            launch = ref.HISTORY_START - timedelta(days=int(rng.integers(30, 900)))
            if rng.random() < 0.25:  # a quarter of the catalogue launches during the history
                launch = days[int(rng.integers(0, len(days) - 180))]
            discontinue = None
            if rng.random() < 0.15:
                discontinue = launch + timedelta(days=int(rng.integers(400, 1200)))
                if discontinue > ref.HISTORY_END:
                    discontinue = None
            products_by_category[name].append(product_id)
            list_price[product_id] = price
            popularity[product_id] = float(rng.pareto(1.5) + 0.2)
            launched[product_id] = launch
            discontinued[product_id] = discontinue
            rows["products"].append((
                product_id, f"SKU-{product_id}", f"{brand} {name} {j + 1:02d}",
                category_ids[name], brand, price, cost, iso(launch), iso(discontinue) if discontinue else None,
            ))
    catalogue = Catalogue(
        category_ids=category_ids,
        category_names=[name for _d, name, *_r in ref.CATEGORY_TREE],
        products_by_category=products_by_category,
        list_price=list_price,
        popularity=popularity,
        launched=launched,
        discontinued=discontinued,
    )

    for ch in ref.CHANNELS:
        rows["channels"].append((ch.channel_id, ch.code, ch.name, ch.channel_type, ch.is_online))
    progress = day_index / (len(days) - 1)
    start = np.array([ch.weight_start for ch in ref.CHANNELS])
    end = np.array([ch.weight_end for ch in ref.CHANNELS])
    channel_weights = np.outer(1 - progress, start) + np.outer(progress, end)
    channel_weights /= channel_weights.sum(axis=1, keepdims=True)

    store_by_city: dict[str, int] = {}
    store_id = 10
    for country in ref.COUNTRIES:
        for region, city in country.regions:
            store_id += 1
            store_by_city[city] = store_id
            opened = ref.HISTORY_START - timedelta(days=int(rng.integers(200, 3000)))
            # Planted fault: one store's region is missing in the extract (staging defaults it).
            store_region = None if city == "Glasgow" else region
            rows["stores"].append((store_id, f"{city} flagship", city, store_region, country.code, iso(opened)))

    reps_by_country: dict[str, list[int]] = {}
    rep_id = 200
    for country in ref.COUNTRIES:
        reps_by_country[country.code] = []
        for k in range(3 if country.code != "US" else 6):
            rep_id += 1
            region = country.regions[k % len(country.regions)][0]
            rows["sales_reps"].append((
                rep_id, ref.FIRST_NAMES[int(rng.integers(len(ref.FIRST_NAMES)))],
                ref.LAST_NAMES[int(rng.integers(len(ref.LAST_NAMES)))], ref.REP_TEAMS[k % len(ref.REP_TEAMS)],
                region, country.code, iso(ref.HISTORY_START - timedelta(days=int(rng.integers(60, 2000)))),
            ))
            reps_by_country[country.code].append(rep_id)

    campaigns: list[dict[str, object]] = []
    campaign_id = 300
    for year in range(ref.HISTORY_START.year, ref.HISTORY_END.year + 1):
        for month_start in (2, 4, 5, 7, 9, 10, 11, 11, 12):
            campaign_id += 1
            start_day = date(year, month_start, int(rng.integers(1, 20)))
            length = int(rng.integers(14, 42))
            ctype = ref.CAMPAIGN_TYPES[int(rng.integers(len(ref.CAMPAIGN_TYPES)))]
            channel = ("web", "app", "store", "call_centre")[int(rng.integers(4))]
            segment = ref.TARGET_SEGMENTS[int(rng.integers(len(ref.TARGET_SEGMENTS)))]
            # Organic social posts have no budget: the campaign marts must cope with zero.
            budget = 0.0 if ctype == "social" and rng.random() < 0.5 else float(round(rng.uniform(2, 40) * 1000 * scale, 0))
            campaign = {
                "id": campaign_id, "start": start_day, "end": start_day + timedelta(days=length),
                "channel": channel, "segment": segment, "reach": float(rng.uniform(0.08, 0.30)),
                "response_rate": float(rng.uniform(0.02, 0.18)), "type": ctype,
            }
            campaigns.append(campaign)
            rows["campaigns"].append((
                campaign_id, f"{year} {start_day.strftime('%b')} {ctype.replace('_', ' ')} #{campaign_id}",
                ctype, channel, segment, iso(start_day), iso(start_day + timedelta(days=length)), budget,
            ))

    usd_per_unit: dict[str, np.ndarray] = {}
    for country in ref.COUNTRIES:
        if country.currency in usd_per_unit:
            continue
        if country.currency == ref.REPORTING_CURRENCY:
            series = np.ones(len(days))
        else:
            steps = rng.normal(0, 0.003, len(days))
            series = country.usd_rate * np.exp(np.cumsum(steps) - np.cumsum(steps).mean() * 0)
        usd_per_unit[country.currency] = np.round(series, 6)
    for i, d in enumerate(days):
        for currency in sorted(usd_per_unit):
            rows["exchange_rates"].append((iso(d), currency, float(usd_per_unit[currency][i])))

    for year in range(ref.HISTORY_START.year - 1, ref.HISTORY_END.year + 2):
        for holiday_day, name, country_code in ref.fixed_holidays(year):
            rows["holidays"].append((iso(holiday_day), name, country_code))

    return Reference(
        rows=rows, catalogue=catalogue, days=days, day_weights=day_weights, usd_per_unit=usd_per_unit,
        store_by_city=store_by_city, reps_by_country=reps_by_country, campaigns=campaigns,
        channel_weights=channel_weights,
    )


@dataclass
class Person:
    customer_id: int
    first_name: str
    last_name: str
    email: str | None
    phone_digits: str | None  # country code + national number
    country: ref.Country
    region: str
    city: str
    customer_type: str
    signup: date
    value: float
    price_sensitivity: float
    preferred_channel: int  # index into ref.CHANNELS
    single_channel: bool
    category_preference: np.ndarray
    is_internal: bool
    web_account_id: int | None = None
    order_days: list[int] = field(default_factory=list)  # organic orders (campaign responses aside)
    # Active spans: (first active day, first day no longer active; None: active at the end of the history).
    spans: list[tuple[int, int | None]] = field(default_factory=list)
    responded_at: list[int] = field(default_factory=list)  # campaign responses so far, seconds since HISTORY_EPOCH

    def __post_init__(self) -> None:
        self.category_cdf = cdf(self.category_preference)

    def is_lapsed(self, day: int) -> bool:
        """Not in an active span on this day, having been in one before (new customers are not lapsed)."""
        spans = self.spans
        if not spans or day < spans[0][0]:
            return False
        for start, end in spans:
            if start <= day and (end is None or day < end):
                return False
        return True


@dataclass(order=True)
class ServiceEvent:
    """A service failure that raises the churn hazard from ``at`` (days since HISTORY_EPOCH) on."""

    at: float
    ticket_id: int  # chunk-local, unique within the chunk: breaks ties in time order
    cause: str  # complaint | poor_service
    multiplier: float
    stamped: str = field(compare=False)  # ``at`` as the ticket's opened_at or closed_at text


def _format_phone(rng: Draws, digits: str, calling_code: str, style: int) -> str:
    national = digits[len(calling_code):]
    if style == 0:
        return f"+{calling_code} {national[:3]} {national[3:6]} {national[6:]}"
    if style == 1:
        return f"00{calling_code}{national}"
    if style == 2:
        return f"+{calling_code}-{national[:3]}-{national[3:6]}-{national[6:]}"
    return f"(+{calling_code}) {national}"


def _mangle_email(rng: Draws, email: str) -> str:
    """Same address, written differently: capitals and stray whitespace."""
    local, domain = email.split("@")
    variant = int(rng.integers(3))
    if variant == 0:
        return f"{local.title()}@{domain.upper()}"
    if variant == 1:
        return f"  {email.upper()} "
    return f"{local.capitalize()}@{domain} "


class ChunkSimulator:
    """Generates every customer-driven table for one chunk of customers."""

    def __init__(self, reference: Reference, seed: int, chunk: int, first_customer_id: int, size: int) -> None:
        self.ref = reference
        self.rng = Draws(np.random.default_rng(np.random.SeedSequence([seed, chunk + 1])))
        self.clock = ChangeClock(seed, chunk)
        self.first_customer_id = first_customer_id
        self.size = size
        self.ids = Counters.zero()  # ids are chunk-local until ChunkRows.numbered
        self.rows: dict[str, list[list[object]]] = {name: [] for name in TABLES if name not in REFERENCE_TABLES}
        self.faults: dict[str, int] = {}
        self.truth: dict[str, list[list[object]]] = {name: [] for name in TRUTH_TABLES}

    # -- people -------------------------------------------------------------------------
    def _new_person(self, customer_id: int, is_internal: bool) -> Person:
        rng = self.rng
        country = ref.COUNTRIES[bisect_right(_COUNTRY_CDF, rng.random())]
        region, city = country.regions[int(rng.integers(len(country.regions)))]
        first = ref.FIRST_NAMES[int(rng.integers(len(ref.FIRST_NAMES)))]
        last = ref.LAST_NAMES[int(rng.integers(len(ref.LAST_NAMES)))]
        domain = ref.EMAIL_DOMAINS[int(rng.integers(len(ref.EMAIL_DOMAINS)))]
        if is_internal:
            first, domain = "Test", ref.INTERNAL_EMAIL_DOMAIN
        email = f"{first.lower()}.{last.lower()}{customer_id}@{domain}" if rng.random() > 0.04 or is_internal else None
        phone = f"{country.calling_code}{int(rng.integers(200, 999))}{int(rng.integers(1000000, 9999999))}"
        if rng.random() < 0.04 and email is not None:
            phone = None
        days = self.ref.days
        if rng.random() < 0.25:  # the existing customer base at the start of the history
            signup = ref.HISTORY_START - timedelta(days=int(rng.integers(1, 1500)))
        else:
            signup = days[bisect_right(self.ref.signup_cdf, rng.random())]
        is_business = rng.random() < 0.08
        value = float(rng.lognormal(0.0, 1.0)) * (2.5 if is_business else 1.0)
        preferred = bisect_right(self.ref.channel_cdfs[max(0, (signup - ref.HISTORY_START).days)], rng.random())
        if is_business and rng.random() < 0.6:
            preferred = 4  # field sales
        return Person(
            customer_id=customer_id, first_name=first, last_name=last, email=email, phone_digits=phone,
            country=country, region=region, city=city,
            customer_type="business" if is_business else "individual", signup=signup, value=value,
            price_sensitivity=float(rng.beta(2, 5)), preferred_channel=preferred,
            single_channel=rng.random() < 0.4,
            category_preference=rng.dirichlet(_CATEGORY_ALPHA),
            is_internal=is_internal,
        )

    def _customer_row(self, p: Person) -> Row:
        rng = self.rng
        birth = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 55)))
        signup_channel = ref.CHANNELS[p.preferred_channel].code
        updated = datetime.combine(max(p.signup, ref.HISTORY_START), datetime.min.time()) + timedelta(
            days=int(rng.integers(0, 400)), seconds=int(rng.integers(0, 86400)))
        business = p.customer_type == "business"
        return (
            p.customer_id, p.first_name, p.last_name, p.email,
            _format_phone(rng, p.phone_digits, p.country.calling_code, 0) if p.phone_digits else None,
            ("female", "male", "F", "M", None)[bisect_right(_GENDER_CDF, rng.random())],
            None if business else iso(birth),
            None if business else ref.INCOME_BANDS[int(rng.integers(len(ref.INCOME_BANDS)))],
            None if business else ref.EDUCATION_LEVELS[int(rng.integers(len(ref.EDUCATION_LEVELS)))],
            None if business else ref.MARITAL_STATUSES[int(rng.integers(len(ref.MARITAL_STATUSES)))],
            p.city, p.region, p.country.code, p.customer_type,
            ref.INDUSTRIES[int(rng.integers(len(ref.INDUSTRIES)))] if business else None,
            iso(p.signup), signup_channel, stamp(min(updated, datetime(2025, 12, 31, 23, 0))),
        )

    def _web_account(self, p: Person | None, registered: date) -> Row:
        """A web-shop registration, for a known customer (p) or for a web-only person."""
        rng = self.rng
        self.ids.web_account_id += 1
        account_id = self.ids.web_account_id
        if p is None:
            q = self._new_person(0, False)
            email: str | IdText | None = IdText(f"{q.first_name.lower()}.{q.last_name.lower()}.w", account_id,
                                                f"@{ref.EMAIL_DOMAINS[0]}")
            phone = _format_phone(rng, q.phone_digits, q.country.calling_code, int(rng.integers(4))) if q.phone_digits else None
            first, last, country = q.first_name, q.last_name, q.country.code
        else:
            p.web_account_id = account_id
            roll = rng.random()
            email = p.email
            if p.email is not None and roll < 0.40:
                email = _mangle_email(rng, p.email)
                self.faults["identity_email_variant"] = self.faults.get("identity_email_variant", 0) + 1
            elif p.email is None or roll > 0.92:
                # A different address altogether: only the phone can match this account.
                email = IdText(p.first_name.lower(), account_id, f"@{ref.EMAIL_DOMAINS[-1]}")
            phone = None
            if p.phone_digits:
                phone = _format_phone(rng, p.phone_digits, p.country.calling_code, int(rng.integers(1, 4)))
            first, last, country = p.first_name, p.last_name, p.country.code
        registered_at = datetime.combine(registered, datetime.min.time()) + timedelta(seconds=int(rng.integers(0, 86400)))
        last_login = min(registered_at + timedelta(days=int(rng.integers(0, 900))), datetime(2025, 12, 31, 22, 0))
        return (account_id, email, phone, first, last, country, stamp(registered_at), stamp(last_login))

    # -- orders -------------------------------------------------------------------------
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

    def _lifetime(self, p: Person) -> None:
        """The person's active spans, the days of their organic orders and their service tickets.

        Walks time forward through each span: orders (and the tickets they lead to) and service
        events in time order, spending one exponential draw per span along the piecewise-constant
        hazard; the span ends where the draw is spent. Records the truth rows as it goes.
        """
        rng = self.rng
        n_days = len(self.ref.days)
        base_hazard = 1.0 / (CHURN_MEAN_DAYS * (1 + VALUE_CHURN_SLOWDOWN * min(p.value, VALUE_CHURN_CAP)))  # per day
        orders_per_year = (INTERNAL_ORDERS_PER_YEAR if p.is_internal
                           else ORDERS_PER_YEAR * p.value ** ORDERS_VALUE_ELASTICITY)
        per_day = orders_per_year / 365.0
        has_tickets = p.customer_id != 0  # web-only shoppers are unknown to the service desk
        pending: list[ServiceEvent] = []  # a heap, in time order
        multiplier = 1.0
        counts = {"complaint": 0, "poor_service": 0}
        steps = self.truth["truth_hazard_steps"]
        customer_id = p.customer_id or None
        order_days, random = p.order_days, rng.random

        def apply(event: ServiceEvent) -> float:
            counts[event.cause] += 1
            raised = min(multiplier * event.multiplier, MAX_SERVICE_HAZARD_MULTIPLIER)
            steps.append([customer_id, p.web_account_id, event.ticket_id, event.cause, event.stamped, raised,
                          365.0 * base_hazard * raised])
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
                until = next_event if next_event <= next_order else next_order
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
                if has_tickets and random() < TICKET_PER_ORDER_PROBABILITY:
                    for event in self._ticket(p, next_order):
                        heapq.heappush(pending, event)
            inactive_from = None if ends_at is None else math.ceil(ends_at)
            p.spans.append((start, inactive_from))
            if inactive_from is None or rng.random() > REACTIVATION_PROBABILITY:
                break
            start = inactive_from + int(rng.integers(*REACTIVATION_GAP_DAYS))
        while pending and pending[0].at < n_days:  # service events after the last span still count
            multiplier = apply(heapq.heappop(pending))
        self._lifetime_truth(p, orders_per_year, base_hazard, multiplier, counts)

    def _lifetime_truth(self, p: Person, orders_per_year: float, base_hazard: float, multiplier: float,
                        counts: dict[str, int]) -> None:
        customer_id = p.customer_id or None
        n_days = len(self.ref.days)
        day_texts = self.ref.day_texts

        def day_text(day: int | None) -> str | None:
            return None if day is None else day_texts[day]

        for number, (start, end) in enumerate(p.spans, start=1):
            self.truth["truth_spans"].append([customer_id, p.web_account_id, number, day_text(start), day_text(end)])
        last_end = p.spans[-1][1] if p.spans else None
        self.truth["truth_customers"].append([
            customer_id, p.web_account_id, p.is_internal, iso(p.signup), p.value, orders_per_year, 365.0 * base_hazard,
            multiplier, 365.0 * base_hazard * multiplier, counts["complaint"], counts["poor_service"],
            len(p.spans), day_text(p.spans[0][0]) if p.spans else None, day_text(last_end),
            bool(p.spans) and (last_end is None or last_end >= n_days),
        ])

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

    def _basket(self, p: Person, day: date) -> list[int]:
        rng = self.rng
        cat = self.ref.catalogue
        offers = cat.offers(day)
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

    def _add_order(self, p: Person, day: int, campaign_id: int | None = None, channel: int | None = None) -> None:
        rng = self.rng
        when = self.ref.days[day]
        self.ids.order_id += 1
        order_id = self.ids.order_id
        channel = self._pick_channel(p, day) if channel is None else channel
        ch = ref.CHANNELS[channel]
        hour = bisect_right(_HOUR_CDF, rng.random())
        minute = rng.integers(60)
        ordered_at = 86400 * day + 3600 * hour + 60 * minute + rng.integers(60)  # seconds since HISTORY_EPOCH
        roll = rng.random()
        status = "completed" if roll < COMPLETED_ORDER_SHARE else (
            "returned" if roll < COMPLETED_ORDER_SHARE + RETURNED_ORDER_SHARE else "cancelled")
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
        self.rows["orders"].append([
            order_id, customer_id, web_account_id, stamp_at(ordered_at), ch.code, store_id, rep_id, campaign_id,
            status, currency, stamp_at(updated_at),
        ])
        rate = self.ref.usd_rates[currency][day]
        discount_threshold = 0.6 * (p.price_sensitivity + (0.25 if campaign_id is not None else 0.0)
                                    + (0.15 if when.month == 11 else 0.0))
        catalogue = self.ref.catalogue
        cheap_products, list_price = catalogue.cheap_products, catalogue.list_price
        is_business = p.customer_type == "business"
        items = self.rows["order_items"]
        random, line_changed_at = rng.random, self.clock.line
        first_item_id = self.ids.order_item_id
        basket = self._basket(p, when)
        for line_number, pid in enumerate(basket, start=1):
            quantity = 1 + (int(rng.poisson(1.2)) if pid in cheap_products else int(random() < 0.08))
            if is_business:
                quantity *= rng.integers(1, 6)
            unit_price = round_cents(list_price[pid] / rate)
            discount = 0.0
            if random() < discount_threshold:
                # = rng.choice([0.05, ...]): choice without p draws integers(0, n)
                discount = round_cents(unit_price * quantity * _DISCOUNTS[rng.integers(len(_DISCOUNTS))])
            items.append([
                first_item_id + line_number, order_id, line_number, pid, quantity, unit_price, discount,
                stamp_at(line_changed_at(created_at)),
            ])
        self.ids.order_item_id = first_item_id + len(basket)

    # -- marketing, service, sales ------------------------------------------------------
    def _touches(self, people: list[Person]) -> None:
        """Campaigns in order of their start touch the customers they reach; some respond and buy."""
        rng = self.rng
        touches = self.rows["campaign_touches"]
        truth = self.truth["truth_touches"]
        signups = np.array([p.signup.toordinal() for p in people])
        external = np.array([not p.is_internal for p in people], dtype=bool)
        n_days = len(self.ref.days)
        for campaign in sorted(self.ref.campaigns, key=itemgetter("start", "id")):
            start: date = campaign["start"]  # type: ignore[assignment]
            eligible = np.flatnonzero((signups <= start.toordinal()) & external)  # indexes into people, in order
            if not len(eligible):
                continue
            reached = eligible[rng.randoms(len(eligible)) < campaign["reach"]]  # type: ignore[operator]
            campaign_id, campaign_type = campaign["id"], campaign["type"]
            response_rate: float = campaign["response_rate"]  # type: ignore[assignment]
            channel = next(i for i, ch in enumerate(ref.CHANNELS) if ch.code == campaign["channel"])
            start_day = (start - ref.HISTORY_START).days
            for i in reached.tolist():
                p = people[i]
                # seconds since HISTORY_EPOCH: 0-6 days and 8-19 hours into the campaign
                touched = 86400 * (start_day + rng.integers(*TOUCH_DAYS)) + 3600 * rng.integers(8, 20)
                earlier = sum(1 for at in p.responded_at if at < touched) if p.responded_at else 0
                lapsed = p.is_lapsed(touched // 86400)
                probability = response_probability(response_rate, p.value, earlier, lapsed)
                responded = rng.random() < probability
                responded_at = None
                if responded:
                    responded_at = touched + 3600 * rng.integers(*RESPONSE_HOURS)
                    p.responded_at.append(responded_at)
                    order_day = responded_at // 86400 + rng.integers(*RESPONSE_ORDER_DAYS)
                    if order_day < n_days:
                        self._add_order(p, order_day, campaign_id=campaign_id, channel=channel)  # type: ignore[arg-type]
                self.ids.touch_id += 1
                touched_at = self.ref.stamp_at(touched)
                responded_text = None if responded_at is None else self.ref.stamp_at(responded_at)
                touches.append([
                    self.ids.touch_id, campaign_id, p.customer_id, touched_at, campaign_type, responded, responded_text,
                ])
                truth.append([self.ids.touch_id, campaign_id, p.customer_id, touched_at, earlier, lapsed,
                              probability, responded, responded_text])

    def _ticket(self, p: Person, order_day: int) -> list[ServiceEvent]:
        """A service ticket about the order of ``order_day``; returns the service failures it holds.

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
        opened_text, closed_text = stamp(opened), None if still_open else stamp(closed)
        self.rows["service_tickets"].append([
            self.ids.ticket_id, p.customer_id, channel, category, priority, opened_text, closed_text,
            None if still_open else satisfaction, None if still_open else expectation,
        ])
        events = []
        opened_at = day + hour / 24.0
        if category == "complaint":
            events.append(ServiceEvent(opened_at, self.ids.ticket_id, "complaint", COMPLAINT_HAZARD_MULTIPLIER,
                                       opened_text))
        if closed_text is not None and satisfaction <= POOR_SERVICE_SATISFACTION:
            events.append(ServiceEvent(opened_at + hours / 24.0, self.ids.ticket_id, "poor_service",
                                       POOR_SERVICE_HAZARD_MULTIPLIER, closed_text))
        return events

    def _lead_and_funnel(self, p: Person | None) -> None:
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
                campaign = int(running[int(rng.integers(len(running)))]["id"])  # type: ignore[arg-type]
        source = ("web", "field_sales", "call_centre", "partner", "store")[bisect_right(_LEAD_SOURCE_CDF, rng.random())]
        created_at = datetime.combine(created, datetime.min.time()) + timedelta(hours=int(rng.integers(8, 18)))
        company = f"{p.last_name} {ref.INDUSTRIES[int(rng.integers(6))].title()} Ltd" if p and p.customer_type == "business" else None
        email = p.email if p else IdText("lead", lead_id, f"@{ref.EMAIL_DOMAINS[int(rng.integers(len(ref.EMAIL_DOMAINS)))]}")
        converted_at = stamp(datetime.combine(max(p.signup, created), datetime.min.time()) + timedelta(hours=12)) if p else None
        self.rows["leads"].append([
            lead_id, stamp(created_at), company, email, source, campaign, rep, status,
            p.customer_id if p else None, converted_at,
        ])
        if status in ("qualified", "converted") and (p is None or p.customer_type == "business" or rng.random() < 0.3):
            self._opportunity(lead_id, p, rep, campaign, source, created_at, won_bias=status == "converted")

    def _opportunity(self, lead_id: int, p: Person | None, rep: int, campaign: int | None, source: str,
                     created_at: datetime, won_bias: bool) -> None:
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
            self.ids.stage_change_id += 1
            if when.date() > ref.HISTORY_END:
                break
            self.rows["opportunity_stage_history"].append([self.ids.stage_change_id, opp_id, stage, stamp(when)])
            last_stage, last_when = stage, when
            when = when + timedelta(days=float(rng.gamma(2.0, 7.0)))
        closed_at = stamp(last_when) if last_stage.startswith("closed") else None
        self.rows["opportunities"].append([
            opp_id, lead_id, p.customer_id if p and last_stage == "closed_won" else None, rep, campaign, source,
            amount, last_stage, stamp(created_at), closed_at,
        ])

    # -- faults -------------------------------------------------------------------------
    def _count(self, fault: str, n: int) -> int:
        self.faults[fault] = self.faults.get(fault, 0) + n
        return n

    def _plant_faults(self) -> None:
        rng = self.rng
        orders = self.rows["orders"]
        n_orders = len(orders)

        def pick(rows: list, rate: float, fault: str) -> np.ndarray:
            k = self._count(fault, int(round(rate * len(rows))))
            return rng.choice(len(rows), size=k, replace=False) if k else np.array([], dtype=int)

        channel_spellings = {ch.code: ch.spellings for ch in ref.CHANNELS}
        missing = set(int(i) for i in pick(orders, FAULT_RATES["channel_missing"], "order_channel_missing"))
        for i in missing:
            orders[i][4] = None
        candidates = [i for i in range(n_orders) if i not in missing]
        k = self._count("order_channel_misspelled", int(round(FAULT_RATES["channel_misspelled"] * n_orders)))
        for i in rng.choice(candidates, size=k, replace=False):
            spellings = channel_spellings[orders[i][4]]
            orders[i][4] = spellings[int(rng.integers(len(spellings)))]
        for i in pick(orders, FAULT_RATES["status_misspelled"], "order_status_misspelled"):
            spellings = ref.ORDER_STATUSES[orders[i][8]]
            orders[i][8] = spellings[int(rng.integers(len(spellings)))]
        for i in pick(orders, FAULT_RATES["timestamp_with_offset"], "order_timestamp_with_offset"):
            utc = datetime.strptime(orders[i][3], "%Y-%m-%d %H:%M:%S")
            hours = int(rng.choice([-5, 1, 2, 8]))
            local = utc + timedelta(hours=hours)
            orders[i][3] = local.strftime("%Y-%m-%dT%H:%M:%S") + f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"
        items = self.rows["order_items"]
        unknown = set(int(i) for i in pick(items, FAULT_RATES["unknown_product"], "order_item_unknown_product"))
        for i in unknown:
            items[i][3] = 99000 + int(rng.integers(0, 999))
        rest = [i for i in range(len(items)) if i not in unknown]
        k = self._count("order_item_non_positive_quantity", int(round(FAULT_RATES["non_positive_quantity"] * len(items))))
        for i in rng.choice(rest, size=k, replace=False):
            items[i][4] = -int(rng.integers(0, 3))
        for table, fault in (("customers", "duplicate_customers"), ("orders", "duplicate_orders"),
                             ("order_items", "duplicate_order_items"), ("campaign_touches", "duplicate_touches")):
            rows = self.rows[table]
            for i in sorted(pick(rows, FAULT_RATES[fault], f"{table}_exact_duplicate"), reverse=True):
                rows.insert(int(i) + 1 + int(rng.integers(0, 3)), list(rows[int(i)]))

    # -- driver -------------------------------------------------------------------------
    def run(self) -> ChunkRows:
        rng = self.rng
        n_internal = max(1, int(round(FAULT_RATES["internal_accounts"] * self.size)))
        internal = set(rng.choice(self.size, size=n_internal, replace=False).tolist())
        self._count("customers_internal_test_account", n_internal)
        people = [self._new_person(self.first_customer_id + i, i in internal) for i in range(self.size)]
        region_missing = rng.randoms(self.size) < FAULT_RATES["region_missing"]
        for p, no_region in zip(people, region_missing):
            row = list(self._customer_row(p))
            if no_region:
                row[11] = None
                self._count("customers_region_missing", 1)
            self.rows["customers"].append(row)
            if rng.random() < 0.55 and not p.is_internal:
                self.rows["web_accounts"].append(list(self._web_account(p, max(p.signup, ref.HISTORY_START))))
        # Web-only shoppers: registered in the web shop, never entered into the CRM master.
        web_only: list[Person] = []
        for _ in range(int(round(0.12 * self.size))):
            q = self._new_person(0, False)
            q.single_channel, q.preferred_channel = True, 1 + int(rng.random() < 0.4)
            self.rows["web_accounts"].append(list(self._web_account(None, max(q.signup, ref.HISTORY_START))))
            q.web_account_id = self.ids.web_account_id
            web_only.append(q)
        for p in people + web_only:
            self._lifetime(p)
            for day in p.order_days:
                self._add_order(p, day)
        self._touches(people)
        for p in people:
            if p.customer_type == "business" and rng.random() < 0.7 or rng.random() < 0.12:
                self._lead_and_funnel(p)
        for _ in range(int(round(0.35 * self.size))):
            self._lead_and_funnel(None)
        self.rows["orders"].sort(key=itemgetter(0))
        self.rows["order_items"].sort(key=itemgetter(0))
        self._plant_faults()
        return ChunkRows(self.rows, self.faults, self.ids, self.truth)


_HOUR_WEIGHTS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 5, 5.5, 6, 5.5, 5, 5, 5.5, 6, 6.5, 7, 6, 4.5, 3, 2], dtype=float)
_HOUR_WEIGHTS /= _HOUR_WEIGHTS.sum()
# Fixed choice(p=...) weights as cdfs (see cdf).
_HOUR_CDF = cdf(_HOUR_WEIGHTS)
_COUNTRY_CDF = cdf([c.share for c in ref.COUNTRIES])
_GENDER_CDF = cdf([0.42, 0.42, 0.06, 0.06, 0.04])
_TICKET_CATEGORY_CDF = cdf([0.45, 0.2, 0.2, 0.15])
_TICKET_PRIORITY_CDF = cdf([0.35, 0.4, 0.2, 0.05])
_TICKET_CHANNEL_CDF = cdf([0.45, 0.3, 0.15, 0.1])
_LEAD_STATUS_CDF = cdf([0.15, 0.35, 0.2, 0.3])
_LEAD_SOURCE_CDF = cdf([0.35, 0.25, 0.2, 0.1, 0.1])
_DISCOUNTS = (0.05, 0.10, 0.15, 0.20, 0.30)
_CATEGORY_ALPHA = np.full(len(ref.CATEGORY_TREE), 0.4)  # Dirichlet prior of a person's category preference
# category -> partner categories, in the order of ref.AFFINITY_CATEGORY_PAIRS
_AFFINITY_PARTNERS: dict[str, tuple[str, ...]] = {
    left: tuple(right for other, right in ref.AFFINITY_CATEGORY_PAIRS if other == left)
    for left, _ in ref.AFFINITY_CATEGORY_PAIRS
}
