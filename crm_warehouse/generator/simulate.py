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
across chunks (orders, order lines, accounts, ...) from zero; ``records.Tables.numbered``
shifts them past the ids of the chunks before it, so chunks can be simulated in parallel.

Where each part lives. This module holds the model: the source and truth tables' columns
(TABLES, TRUTH_TABLES), the business rules and fault rates, and the reference tables
(``build_reference``: catalogue, stores, sales reps, campaigns, exchange rates, holidays). A
chunk of customers is simulated by one class per family of tables, each writing named records
(``records``: one slotted dataclass per table, read out column by column only for the sinks):

* ``people.People``: the people; the customers and web_accounts tables.
* ``lifetimes.Lifetimes``: each person's active spans, order days and tickets; the truth
  tables truth_customers, truth_spans and truth_hazard_steps.
* ``service.ServiceDesk``: service_tickets, and the service failures that raise the hazard.
* ``orders.Orders``: orders and order_items (``orders.ChangeClock``: their updated_at).
* ``campaigns.Campaigns``: campaign_touches and truth_touches, and the responders' orders.
* ``funnel.Funnel``: leads, opportunities and opportunity_stage_history.
* ``faults.FaultPlanter``: the planted faults of the finished orders and lines, and the exact
  duplicates (the people plant three kinds among their own draws).

``chunk.ChunkSimulator`` runs them on one stream. The families read the rules and constants
here as ``simulate.NAME`` when they run, so the simulation follows the values generate writes
beside the truth (truth_parameters.json), even one a test has set.

Draw order within a chunk (``ChunkSimulator.run``): the people (the internal test accounts,
then the customers, the regions left missing, each customer's record and web account, then the
web-only shoppers); then each person's lifetime in turn (spans with their orders' days and
tickets, in time order), then that person's orders; then the campaigns in order of their
start, each touching its reached customers in order; then leads and the funnel; last the
planted faults. The draws go through ``draws.Draws`` and ``draws.cdf``: the same stream values
as the numpy Generator calls they stand for, at a fraction of the cost. Any change to the
order or kind of draws changes the output (and the committed seeds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from . import reference as ref
from .draws import cdf

Row = tuple[object, ...]  # a reference table's row: built once in column order, never edited

# Column layout of every source table: (column, kind). The seeds' column types in
# seeds/_seeds.yml follow these, and so do the fields of the records (records.py).
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
