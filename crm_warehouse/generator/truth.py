"""The generator's ground truth: what each simulated customer really did, for judging the models.

The simulation (simulate.py) decides for every customer when they are active, how their churn
hazard moves and how likely they are to answer each campaign touch. Those latent facts are
kept beside the source tables, never as a source: nothing under seeds/ and nothing dbt reads.
``load_truth(seed, scale)`` simulates them again (seconds at the default size; the same draws
as ``generate``, so the truth of exactly the committed seeds for the defaults) and
``read_truth(folder)`` reads what ``python -m crm_warehouse.generator --truth-dir folder``
wrote (truth_<table>.csv or .parquet, and truth_parameters.json with the business rules).

One person is one simulated customer: a CRM customer (customer_id; web_account_id too when
they also registered in the web shop), or a web-only shopper (web_account_id only). Dates are
days of the history (2022-01-01 to 2025-12-31); a customer is *active on day D* when a span has
active_from <= D < inactive_from (inactive_from null: still active at the end of the history).

truth_customers, one row per person:
  customer_id, web_account_id  the person's source ids (either may be null, not both)
  is_internal                  the retailer's own test account (the marts leave them out)
  value                        latent value: drives order rate, basket size, churn and response
  orders_per_year              order rate while active, at a seasonal intensity of 1 (every status)
  base_churn_hazard_per_year   churn hazard from value alone (no service failure yet)
  service_hazard_multiplier_at_end  product of the service failures' multipliers by the end (capped)
  churn_hazard_per_year_at_end the hazard at the end of the history: base x multiplier (per year)
  complaints, poor_service_tickets  service failures that raised the hazard (see truth_hazard_steps)
  active_spans, first_active_on     spans (a reactivation opens another) and the first one's start
  inactive_from                the end of the last span: the first day no longer active (null:
                               active at the end; it may fall just after the history)
  is_active_at_end             active on the last day of the history
truth_spans: customer_id, web_account_id, span_number, active_from, inactive_from (as above).
  A span opens with an order on active_from; every organic order (campaign_id null) falls in a
  span; a campaign response's order may fall outside (a lapsed customer's one-off order).
truth_hazard_steps: one row per service failure: customer_id, web_account_id, ticket_id (the
  service ticket), cause (complaint: when the ticket opened; poor_service: when it closed with
  satisfaction <= POOR_SERVICE_SATISFACTION), changed_at (from then on), service_hazard_multiplier
  and churn_hazard_per_year in force from changed_at on.
truth_touches: one row per campaign touch (touch_id as in campaign_touches): campaign_id,
  customer_id, touched_at, earlier_responses (responses to campaigns before this touch),
  was_lapsed (not active, having been before), response_probability (the true chance of a
  response) and responded (what the draw gave).

Customer keys: the warehouse keys a customer by md5(salt || 'crm:' || customer_id), or for a
web-only shopper md5(salt || 'web:' || lowest web_account_id of their accounts)
(int_customers__identity_map); the salt is the environment variable DBT_ENV_SECRET_CRM_KEY_SALT (empty if unset).
``customer_key`` gives the key of a person's master record. A CRM customer's web account is
matched to them by email or phone; when it cannot be (a different address and no phone), the
warehouse sees its orders as a web-only customer md5(salt || 'web:' || web_account_id)
(``web_account_key``): join int_customers__identity_map on source_id = web_account_id to find those.

The oracle (``Truth.oracle``) gives, for an evaluation date T, every person active by then:
whether they are active on T, their churn hazard on T and the true probability that they make
no purchase (a completed order) in the ``churn_after_days`` after T: the warehouse's churn label.
It knows the state on T and the rules, not the future draws: it leaves out service failures
and campaign touches after T (both would only raise the chance of leaving, resp. of buying).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from . import reference as ref
from . import simulate
from .generate import DEFAULT_CHUNK_SIZE, DEFAULT_SEED, TRUTH_PARAMETERS_FILE, simulate_truth, truth_parameters
from .simulate import TRUTH_TABLES, build_reference
from .sinks import _arrow_schema

DATE_COLUMNS = ("signup_on", "first_active_on", "inactive_from", "active_from")
TIME_COLUMNS = ("changed_at", "touched_at", "responded_at")
ORACLE_BLOCK = 5_000  # customers per block of the oracle's customer x day arrays (bounds memory)


def customer_key(customer_id: int | None, web_account_id: int | None, salt: str | None = None) -> str:
    """The warehouse's customer_key of a person's master record (int_customers__identity_map);
    salt defaults to the build's secret, the environment variable DBT_ENV_SECRET_CRM_KEY_SALT (macro customer_key_salt)."""
    salt = os.environ.get("DBT_ENV_SECRET_CRM_KEY_SALT", "") if salt is None else salt
    if customer_id is not None and not pd.isna(customer_id):
        return hashlib.md5(f"{salt}crm:{int(customer_id)}".encode()).hexdigest()
    if web_account_id is None or pd.isna(web_account_id):
        raise ValueError("a person has a customer_id or a web_account_id")
    return hashlib.md5(f"{salt}web:{int(web_account_id)}".encode()).hexdigest()


def _frame(table: str, data: pa.Table) -> pd.DataFrame:
    """A truth table as a DataFrame: nullable integer ids, dates and times as datetime64."""
    frame = data.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)
    for column in frame.columns:
        if column in DATE_COLUMNS or column in TIME_COLUMNS:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def _day(value: date | str | pd.Timestamp) -> int:
    """Day index since the start of the history."""
    return (pd.Timestamp(value).normalize() - pd.Timestamp(ref.HISTORY_START)).days  # type: ignore[no-any-return]


def _days(values: pd.Series) -> np.ndarray:
    """Day indexes since the start of the history of a column of dates (NaT: +inf)."""
    days = (values.dt.normalize() - pd.Timestamp(ref.HISTORY_START)).dt.days.astype(float)
    return days.fillna(math.inf).to_numpy()  # type: ignore[no-any-return]


def _seasonal_sum(first_day: int, days: int) -> np.ndarray:
    """Running sums of the seasonal order intensity over days first_day..first_day+days-1 (index k: days <= k).

    The intensity of simulate.seasonal_intensity, extended past the history with the same scale.
    """
    history = [ref.HISTORY_START + timedelta(days=i) for i in range((ref.HISTORY_END - ref.HISTORY_START).days + 1)]
    scale = np.mean([simulate.MONTH_FACTORS[d.month - 1] * simulate.WEEKDAY_FACTORS[d.weekday()] for d in history])
    window = [ref.HISTORY_START + timedelta(days=first_day + k) for k in range(days)]
    factors = np.array([simulate.MONTH_FACTORS[d.month - 1] * simulate.WEEKDAY_FACTORS[d.weekday()] for d in window])
    return (factors / scale).cumsum()  # type: ignore[no-any-return]


def no_purchase_probability(hazard_per_day: np.ndarray, purchases_per_day: np.ndarray, seasonal_sums: np.ndarray,
                            no_campaign_purchase: np.ndarray | None = None) -> np.ndarray:
    """P(no purchase on the next d days) for customers active today, their hazard constant meanwhile.

    A customer active on day 0 is active on days 1..j and not after with probability
    exp(-h j) - exp(-h (j + 1)) (the exponential remaining life of a constant hazard h); while
    active, purchases on day k are Poisson with mean r * s_k. So
    P = sum_{j<d} (exp(-h j) - exp(-h (j+1))) exp(-r S_j) C_j + exp(-h d) exp(-r S_d) C_d, S_j = s_1 + ... + s_j,
    where C_j is the chance of no purchase through a campaign response for a customer active
    on days 1..j only (1 when not given). seasonal_sums: S_1..S_d; no_campaign_purchase: customers x (d + 1).
    One value per customer in, one probability per customer out.
    """
    d = len(seasonal_sums)
    hazard = np.asarray(hazard_per_day, dtype=float)[:, None]
    rate = np.asarray(purchases_per_day, dtype=float)[:, None]
    sums = np.concatenate([[0.0], seasonal_sums])[None, :]  # S_0 .. S_d
    j = np.arange(d + 1)[None, :]
    # Active on days 1..j, not on day j + 1; the last column: active throughout.
    weight = np.exp(-hazard * j) - np.concatenate([np.exp(-hazard * (j[:, :d] + 1)), np.zeros_like(hazard)], axis=1)
    out = weight * np.exp(-rate * sums)
    if no_campaign_purchase is not None:
        out *= no_campaign_purchase
    return out.sum(axis=1)  # type: ignore[no-any-return]


def reactivation_in_window(inactive_from: np.ndarray, today: int, days: int, probability: float,
                           gap: tuple[int, int]) -> np.ndarray:
    """P(a span that ended on inactive_from reopens in days today+1..today+days | not reopened by today).

    A span reopens with ``probability`` after a gap drawn uniformly from the integers in [gap[0], gap[1]).
    """
    low, high = gap
    width = high - low
    gaps_by_today = np.clip(today - inactive_from - low + 1, 0, width)  # gaps that would have reopened by today
    gaps_by_end = np.clip(today + days - inactive_from - low + 1, 0, width)
    within = probability * (gaps_by_end - gaps_by_today) / width
    not_yet = 1.0 - probability * gaps_by_today / width
    return within / not_yet  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Truth:
    """The ground truth of one generated data set (see the module docstring for every column)."""

    customers: pd.DataFrame
    spans: pd.DataFrame
    hazard_steps: pd.DataFrame
    touches: pd.DataFrame
    parameters: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, tables: dict[str, pa.Table], parameters: dict[str, object]) -> Truth:
        frames = {table: _frame(table, data) for table, data in tables.items()}
        customers = frames["truth_customers"]
        customers.insert(0, "customer_key", [customer_key(c, w) for c, w in
                                             zip(customers["customer_id"], customers["web_account_id"])])
        customers.insert(1, "web_account_key", [None if pd.isna(w) else customer_key(None, w)
                                                for w in customers["web_account_id"]])
        touches = frames["truth_touches"]
        touches.insert(1, "customer_key", [customer_key(c, None) for c in touches["customer_id"]])
        return cls(customers, frames["truth_spans"], frames["truth_hazard_steps"], touches, parameters)

    @cached_property
    def campaigns(self) -> pd.DataFrame:
        """The campaigns of this truth's run: campaign_id, start_day (index), reach, response_rate."""
        seed, scale = int(self.parameters["seed"]), float(self.parameters["scale"])  # type: ignore[arg-type]
        reference = build_reference(seed, scale)
        return pd.DataFrame([
            {"campaign_id": c["id"], "start_day": (c["start"] - ref.HISTORY_START).days,  # type: ignore[operator]
             "reach": c["reach"], "response_rate": c["response_rate"]}
            for c in reference.campaigns
        ])

    def oracle(self, as_of: date | str, churn_after_days: int = 365,
               customer_keys: Iterable[str] | None = None) -> pd.DataFrame:
        """Every person active by as_of (a first span started on or before it), their true state on as_of.

        Columns: customer_key, customer_id, web_account_id, is_internal, is_active (on as_of),
        churn_hazard_per_year (in force at the end of as_of; what an active customer's leaving
        depends on), purchases_per_year (completed orders a year while active, seasonal mean) and
        churn_probability: P(no purchase in the churn_after_days after as_of), the warehouse's churn
        label (a completed order, organic or through a campaign), from the state on as_of.
        customer_keys: only these customers (default: all).
        """
        today = _day(as_of)
        spans = self.spans[self.spans["active_from"] <= pd.Timestamp(as_of)]
        last = spans.sort_values("active_from").groupby(["customer_id", "web_account_id"], dropna=False).tail(1)
        state = pd.DataFrame({
            "customer_id": last["customer_id"].to_numpy(),
            "web_account_id": last["web_account_id"].to_numpy(),
            "inactive_day": _days(last["inactive_from"]),
        })
        state["is_active"] = state["inactive_day"] > today
        people = self.customers.merge(state, on=["customer_id", "web_account_id"], how="inner")
        if customer_keys is not None:
            people = people[people["customer_key"].isin(set(customer_keys))]
        people = people.reset_index(drop=True)
        people["churn_hazard_per_year"] = people["base_churn_hazard_per_year"] * self._multipliers(people, as_of)
        people["purchases_per_year"] = people["orders_per_year"] * simulate.COMPLETED_ORDER_SHARE
        touch_days, active_chances, lapsed_chances = self._campaign_chances(people, as_of, churn_after_days)
        sums = _seasonal_sum(today + 1, churn_after_days)
        probability = np.ones(len(people))
        active = people["is_active"].to_numpy(dtype=bool)
        hazard = people["churn_hazard_per_year"].to_numpy() / 365.0
        purchases = people["purchases_per_year"].to_numpy() / 365.0
        days = np.arange(churn_after_days + 1)
        for first in range(0, len(people), ORACLE_BLOCK):
            rows = np.arange(first, min(first + ORACLE_BLOCK, len(people)))[active[first:first + ORACLE_BLOCK]]
            # No purchase through any campaign, for a customer active on days 1..j (columns j = 0..d):
            # touched while active up to day j, lapsed after.
            log_none = np.zeros((len(rows), churn_after_days + 1))
            for c, touch_day in enumerate(touch_days):
                while_active = (days >= touch_day)[None, :]
                log_none += np.where(while_active, np.log1p(-active_chances[rows, c])[:, None],
                                     np.log1p(-lapsed_chances[rows, c])[:, None])
            probability[rows] = no_purchase_probability(hazard[rows], purchases[rows], sums, np.exp(log_none))
        lapsed = ~active
        reopens = reactivation_in_window(people.loc[lapsed, "inactive_day"].to_numpy(), today, churn_after_days,
                                         simulate.REACTIVATION_PROBABILITY, simulate.REACTIVATION_GAP_DAYS)
        # A span opens with an order: a purchase when completed.
        probability[lapsed] = ((1.0 - reopens * simulate.COMPLETED_ORDER_SHARE)
                               * np.prod(1.0 - lapsed_chances[lapsed], axis=1))
        people["churn_probability"] = probability
        return people[["customer_key", "customer_id", "web_account_id", "is_internal", "is_active",
                       "churn_hazard_per_year", "purchases_per_year", "churn_probability"]]

    def _campaign_chances(self, people: pd.DataFrame, as_of: date | str,
                          days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The campaigns whose responders order in the window (on average): their touch day after as_of,
        and per person and campaign the chance of a purchase through it if touched while active, or lapsed.

        The chance: the campaign's reach x the true response probability (earlier responses as of
        as_of) x the completed share; 0 for whom the campaign cannot touch (web-only shoppers, test
        accounts, customers signed up after its start).
        """
        today = _day(as_of)

        def mean_of(low_high: tuple[int, int]) -> float:  # mean of the integers in [low, high)
            return (low_high[0] + low_high[1] - 1) / 2.0

        touch_lag = mean_of(simulate.TOUCH_DAYS)
        order_lag = touch_lag + mean_of(simulate.RESPONSE_HOURS) / 24.0 + mean_of(simulate.RESPONSE_ORDER_DAYS)
        campaigns = self.campaigns
        order_day = campaigns["start_day"] + order_lag - today
        campaigns = campaigns[(order_day > 0) & (order_day <= days)]
        end_of_day = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        responses = self.touches[self.touches["responded"].fillna(False) & (self.touches["responded_at"] < end_of_day)]
        earlier = people["customer_id"].map(responses.groupby("customer_id").size()).fillna(0).astype(int).to_numpy()
        reachable = (people["customer_id"].notna() & ~people["is_internal"].astype(bool)).to_numpy()
        signup_day = _days(people["signup_on"])
        values = people["value"].to_numpy()
        shape = (len(people), len(campaigns))
        active_chances, lapsed_chances = np.zeros(shape), np.zeros(shape)
        for c, campaign in enumerate(campaigns.itertuples()):
            touched = reachable & (signup_day <= campaign.start_day)
            for chances, lapsed in ((active_chances, False), (lapsed_chances, True)):
                chances[:, c] = touched * campaign.reach * simulate.COMPLETED_ORDER_SHARE * np.array([
                    simulate.response_probability(campaign.response_rate, value, n, lapsed)
                    for value, n in zip(values, earlier)])
        return (campaigns["start_day"] + touch_lag - today).to_numpy(), active_chances, lapsed_chances

    def _multipliers(self, people: pd.DataFrame, as_of: date | str) -> np.ndarray:
        """Each person's service hazard multiplier in force at the end of the day as_of."""
        end_of_day = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        steps = self.hazard_steps[self.hazard_steps["changed_at"] < end_of_day]
        latest = steps.sort_values(["changed_at", "ticket_id"]).groupby(
            ["customer_id", "web_account_id"], dropna=False).tail(1)
        merged = people[["customer_id", "web_account_id"]].merge(
            latest[["customer_id", "web_account_id", "service_hazard_multiplier"]],
            on=["customer_id", "web_account_id"], how="left")
        return merged["service_hazard_multiplier"].fillna(1.0).to_numpy(dtype=float)  # type: ignore[no-any-return]


def load_truth(seed: int = DEFAULT_SEED, scale: float = 1.0, chunk_size: int = DEFAULT_CHUNK_SIZE,
               jobs: int | None = 1) -> Truth:
    """The truth of ``generate(seed=seed, scale=scale, chunk_size=chunk_size)``, simulated again in memory.

    The defaults give the truth of the committed seeds (seeds/crm). About as fast as generating.
    """
    parameters = json.loads(json.dumps(truth_parameters(seed, scale, chunk_size)))  # as read_truth reads them
    return Truth.from_tables(simulate_truth(seed, scale, chunk_size, jobs), parameters)


def read_truth(directory: Path | str) -> Truth:
    """The truth that ``generate(..., truth_dir=directory)`` wrote (CSV or Parquet)."""
    directory = Path(directory)
    tables: dict[str, pa.Table] = {}
    for table, columns in TRUTH_TABLES.items():
        schema = _arrow_schema(columns)
        if (directory / f"{table}.parquet").exists():
            tables[table] = pq.read_table(directory / f"{table}.parquet", schema=schema)
        else:
            tables[table] = pa_csv.read_csv(
                directory / f"{table}.csv",
                convert_options=pa_csv.ConvertOptions(column_types=schema, strings_can_be_null=True),
            ).select(schema.names)
    parameters = json.loads((directory / TRUTH_PARAMETERS_FILE).read_text())
    run = truth_parameters(parameters["seed"], parameters["scale"], parameters["chunk_size"])
    current = json.loads(json.dumps(run))
    if parameters != current:
        changed = sorted(name for name in current if parameters.get(name) != current[name])
        raise ValueError(f"{directory}: written under other business rules than the generator's now "
                         f"({', '.join(changed)}); generate it again")
    return Truth.from_tables(tables, parameters)
