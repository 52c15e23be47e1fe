"""Named records of the tables a chunk simulates, and how they reach the sinks with final ids.

Every customer-driven source table (``simulate.TABLES`` less the reference tables) and every
truth table (``simulate.TRUTH_TABLES``) has a record class here: a slotted dataclass whose fields
are the table's columns in column order (tests/python/test_generator.py holds them to the
declared columns). The family simulators (see ``simulate``) build records and edit them by
name; ``SourceRecords`` and ``TruthRecords`` hold a chunk's records, a list per table. Only
``Tables.numbered`` reads them out, column by column, for the sinks (``sinks.encode_columns``).

A chunk numbers the ids that run on across chunks from zero (``Counters.zero()``), so chunks can
be simulated in any order or in parallel. Each record class names its such columns in
``NUMBERED`` (column -> counter); ``Tables.numbered`` shifts them past the ids of the chunks
before it as it reads them out.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, field, fields
from operator import attrgetter
from typing import ClassVar, get_args, get_type_hints


@dataclass
class Counters:
    """Identifiers numbered on across chunks; the defaults are the last ids before the first chunk.

    A chunk counts its ids from zero (``Counters.zero()``); ``Tables.numbered`` then shifts them
    past the ids of earlier chunks.
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


@dataclass(frozen=True, slots=True)
class IdText:
    """Text embedding a chunk-local id (a made-up e-mail address), written once the id is final."""

    head: str
    local_id: int
    tail: str

    def render(self, offset: int) -> str:
        return f"{self.head}{self.local_id + offset}{self.tail}"


@dataclass(slots=True)
class Record:
    """A row of one table. Subclasses are slotted dataclasses: fields in column order."""

    # Columns holding chunk-local ids numbered on across chunks: (column, Counters field). A text
    # column there holds an IdText when its text embeds such an id.
    NUMBERED: ClassVar[tuple[tuple[str, str], ...]] = ()


# -- source tables (simulate.TABLES) ------------------------------------------------------------

@dataclass(slots=True)
class Customer(Record):
    customer_id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    gender: str | None
    birth_date: str | None
    income_band: str | None
    education: str | None
    marital_status: str | None
    city: str
    region: str | None
    country_code: str
    customer_type: str
    industry: str | None
    signup_date: str
    signup_channel: str
    updated_at: str


@dataclass(slots=True)
class WebAccount(Record):
    NUMBERED = (("web_account_id", "web_account_id"), ("email", "web_account_id"))

    web_account_id: int
    email: str | IdText | None
    phone: str | None
    first_name: str
    last_name: str
    country_code: str
    registered_at: str
    last_login_at: str


@dataclass(slots=True)
class Lead(Record):
    NUMBERED = (("lead_id", "lead_id"), ("contact_email", "lead_id"))

    lead_id: int
    created_at: str
    company_name: str | None
    contact_email: str | IdText | None
    source_channel: str
    campaign_id: int | None
    owner_sales_rep_id: int
    lead_status: str
    converted_customer_id: int | None
    converted_at: str | None


@dataclass(slots=True)
class Opportunity(Record):
    NUMBERED = (("opportunity_id", "opportunity_id"), ("lead_id", "lead_id"))

    opportunity_id: int
    lead_id: int
    customer_id: int | None
    owner_sales_rep_id: int
    campaign_id: int | None
    source_channel: str
    amount_usd: float
    stage: str
    created_at: str
    closed_at: str | None


@dataclass(slots=True)
class StageChange(Record):
    """A row of opportunity_stage_history."""

    NUMBERED = (("stage_change_id", "stage_change_id"), ("opportunity_id", "opportunity_id"))

    stage_change_id: int
    opportunity_id: int
    stage: str
    changed_at: str


@dataclass(slots=True)
class Order(Record):
    NUMBERED = (("order_id", "order_id"), ("web_account_id", "web_account_id"))

    order_id: int
    customer_id: int | None
    web_account_id: int | None
    ordered_at: str
    channel: str | None
    store_id: int | None
    sales_rep_id: int | None
    campaign_id: int | None
    order_status: str
    currency_code: str
    updated_at: str


@dataclass(slots=True)
class OrderItem(Record):
    NUMBERED = (("order_item_id", "order_item_id"), ("order_id", "order_id"))

    order_item_id: int
    order_id: int
    line_number: int
    product_id: int
    quantity: int
    unit_price: float
    discount_amount: float
    updated_at: str


@dataclass(slots=True)
class CampaignTouch(Record):
    NUMBERED = (("touch_id", "touch_id"),)

    touch_id: int
    campaign_id: int
    customer_id: int
    touched_at: str
    touch_channel: str
    responded: bool
    responded_at: str | None


@dataclass(slots=True)
class ServiceTicket(Record):
    NUMBERED = (("ticket_id", "ticket_id"),)

    ticket_id: int
    customer_id: int
    channel: str
    category: str
    priority: str
    opened_at: str
    closed_at: str | None
    satisfaction_score: int | None
    expectation_score: int | None


# -- truth tables (simulate.TRUTH_TABLES; truth.py says what each column means) ----------------

@dataclass(slots=True)
class TruthCustomer(Record):
    NUMBERED = (("web_account_id", "web_account_id"),)

    customer_id: int | None
    web_account_id: int | None
    is_internal: bool
    signup_on: str
    value: float
    orders_per_year: float
    base_churn_hazard_per_year: float
    service_hazard_multiplier_at_end: float
    churn_hazard_per_year_at_end: float
    complaints: int
    poor_service_tickets: int
    active_spans: int
    first_active_on: str | None
    inactive_from: str | None
    is_active_at_end: bool


@dataclass(slots=True)
class TruthSpan(Record):
    NUMBERED = (("web_account_id", "web_account_id"),)

    customer_id: int | None
    web_account_id: int | None
    span_number: int
    active_from: str
    inactive_from: str | None


@dataclass(slots=True)
class TruthHazardStep(Record):
    NUMBERED = (("web_account_id", "web_account_id"), ("ticket_id", "ticket_id"))

    customer_id: int | None
    web_account_id: int | None
    ticket_id: int
    cause: str
    changed_at: str
    service_hazard_multiplier: float
    churn_hazard_per_year: float


@dataclass(slots=True)
class TruthTouch(Record):
    NUMBERED = (("touch_id", "touch_id"),)

    touch_id: int
    campaign_id: int
    customer_id: int
    touched_at: str
    earlier_responses: int
    was_lapsed: bool
    response_probability: float
    responded: bool
    responded_at: str | None


# -- a chunk's tables ----------------------------------------------------------------------------

Values = list[list[object]]  # a table's values column by column, in column order


def numbered_columns(record_type: type[Record], records: list[Record], before: Counters) -> Values:
    """The records' values column by column, chunk-local ids numbered on from ``before``.

    Column by column because the sinks want columns (Arrow) or can take them (CSV, zipped into
    rows): one attrgetter per column reads the records without a Python loop per row. The
    records themselves are left as they are.
    """
    names = [f.name for f in fields(record_type)]
    values: Values = [list(map(attrgetter(name), records)) for name in names]
    for column, counter in record_type.NUMBERED:
        i, offset = names.index(column), getattr(before, counter)
        values[i] = [value + offset if value.__class__ is int
                     else value.render(offset) if value.__class__ is IdText
                     else value for value in values[i]]
    return values


def record_types(tables: type[Tables]) -> dict[str, type[Record]]:
    """Table -> its record type, from the annotations (``orders: list[Order]``), in field order."""
    hints = get_type_hints(tables)
    return {f.name: get_args(hints[f.name])[0] for f in fields(tables)}  # type: ignore[arg-type]


class Tables:
    """Base of a dataclass holding one list of records per table, each field named after its table."""

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in record_types(type(self))}

    def numbered(self, before: Counters) -> dict[str, Values]:
        """Every table's values column by column, ids numbered on from ``before`` (see numbered_columns)."""
        return {name: numbered_columns(record_type, getattr(self, name), before)
                for name, record_type in record_types(type(self)).items()}


@dataclass
class SourceRecords(Tables):
    """One chunk's customer-driven source tables, in simulate.TABLES order."""

    customers: list[Customer] = field(default_factory=list)
    web_accounts: list[WebAccount] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    opportunity_stage_history: list[StageChange] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    order_items: list[OrderItem] = field(default_factory=list)
    campaign_touches: list[CampaignTouch] = field(default_factory=list)
    service_tickets: list[ServiceTicket] = field(default_factory=list)


@dataclass
class TruthRecords(Tables):
    """One chunk's ground truth, in simulate.TRUTH_TABLES order (never a source)."""

    truth_customers: list[TruthCustomer] = field(default_factory=list)
    truth_spans: list[TruthSpan] = field(default_factory=list)
    truth_hazard_steps: list[TruthHazardStep] = field(default_factory=list)
    truth_touches: list[TruthTouch] = field(default_factory=list)
