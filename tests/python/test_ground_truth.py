"""The generator's ground truth agrees with the data it generated, and its planted effects show in the data.

The truth (crm_warehouse/generator/truth.py) is what the predictive models are judged against,
so it must describe the very data the warehouse reads: every organic order inside an active
span, every hazard step a ticket of the extract, every earlier response a touch of the extract.
The effects the simulation plants (complaints and poor service raise churn, value lowers it,
earlier responders respond more, lapsed customers less) must show in the raw tables, where a
model can learn them; and the oracle's churn probability must be calibrated on the labels the
raw orders give.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from crm_warehouse.generator import generate, simulate
from crm_warehouse.generator import reference as ref
from crm_warehouse.generator.generate import main
from crm_warehouse.generator.truth import (
    Truth,
    customer_key,
    load_truth,
    no_purchase_probability,
    reactivation_in_window,
    read_truth,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds" / "crm"
STANDARD_STATUS = {spelling: status for status, spellings in ref.ORDER_STATUSES.items()
                   for spelling in (status, *spellings)}
HISTORY_END = pd.Timestamp(ref.HISTORY_END)
EFFECT_SCALE = 4  # 8,000 customers: effects measured well clear of the noise, in seconds


def distinct_rows(folder: Path, table: str) -> list[dict[str, str]]:
    """A source table's rows, exact duplicate loads collapsed."""
    with open(folder / f"{table}.csv", newline="") as handle:
        return list({tuple(row.values()): row for row in csv.DictReader(handle)}.values())


def utc(text: str) -> datetime:
    """ordered_at is UTC text, or (a planted fault) local time with a UTC offset."""
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def person_of(truth: Truth) -> dict[tuple[str, int], int]:
    """Source id ('crm', customer_id) or ('web', web_account_id) -> row of the person in truth.customers."""
    out: dict[tuple[str, int], int] = {}
    ids = zip(truth.customers["customer_id"], truth.customers["web_account_id"])
    for i, (customer_id, web_account_id) in enumerate(ids):
        if not pd.isna(customer_id):
            out[("crm", int(customer_id))] = i
        if not pd.isna(web_account_id):
            out[("web", int(web_account_id))] = i
    return out


def orders_by_person(folder: Path, truth: Truth) -> pd.DataFrame:
    """Distinct orders with the person who placed them: person, day (index), is_campaign, is_purchase."""
    people = person_of(truth)
    rows = []
    for row in distinct_rows(folder, "orders"):
        source = ("crm", int(row["customer_id"])) if row["customer_id"] else ("web", int(row["web_account_id"]))
        ordered = utc(row["ordered_at"])
        rows.append((people[source], ordered, (ordered.date() - ref.HISTORY_START).days, bool(row["campaign_id"]),
                     STANDARD_STATUS[row["order_status"]] == "completed"))
    return pd.DataFrame(rows, columns=["person", "ordered_at", "day", "is_campaign", "is_purchase"])


@pytest.fixture(scope="module")
def truth() -> Truth:
    """The truth of the committed seeds (the generator's defaults)."""
    return load_truth()


@pytest.fixture(scope="module")
def larger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    """A larger extract with its truth written beside it (another seed than the committed one)."""
    folder = tmp_path_factory.mktemp("ground_truth")
    generate(folder / "data", seed=11, scale=EFFECT_SCALE, jobs=None, truth_dir=folder / "truth")
    return folder / "data", read_truth(folder / "truth")


@pytest.fixture(scope="module")
def larger_orders(larger: tuple[Path, Truth]) -> pd.DataFrame:
    return orders_by_person(*larger)


@pytest.fixture(scope="module")
def larger_purchases(larger_orders: pd.DataFrame) -> pd.Series:
    """Per person (row of truth.customers), the times of their orders, sorted."""
    return larger_orders.groupby("person")["ordered_at"].apply(lambda s: np.sort(s.to_numpy()))


# -- the truth is never a source, and the same however it is obtained -------------------------

def test_truth_beside_the_data_equals_the_truth_in_memory(tmp_path: Path) -> None:
    generate(tmp_path / "with", seed=5, scale=0.2, chunk_size=150, truth_dir=tmp_path / "truth")
    generate(tmp_path / "without", seed=5, scale=0.2, chunk_size=150)
    for name in sorted(p.name for p in (tmp_path / "without").iterdir()):
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes(), name
    written, simulated = read_truth(tmp_path / "truth"), load_truth(seed=5, scale=0.2, chunk_size=150)
    for table in ("customers", "spans", "hazard_steps", "touches"):
        pd.testing.assert_frame_equal(getattr(written, table), getattr(simulated, table), obj=table)
    assert written.parameters == simulated.parameters
    assert written.parameters["complaint_hazard_multiplier"] == simulate.COMPLAINT_HAZARD_MULTIPLIER


def test_truth_never_goes_where_a_build_reads_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="never"):
        generate(tmp_path / "data", scale=0.05, truth_dir=tmp_path / "data")
    with pytest.raises(ValueError, match="never"):
        generate(tmp_path / "data", scale=0.05, truth_dir=tmp_path / "data" / "truth")
    with pytest.raises(ValueError, match="never"):
        generate(tmp_path / "data", scale=0.05, truth_dir=ROOT / "seeds" / "truth")
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "data"), "--scale", "0.05", "--truth-dir", str(tmp_path / "data")])
    assert "--truth-dir" in capsys.readouterr().err
    assert not (ROOT / "seeds" / "truth").exists()
    assert not [p for p in (ROOT / "seeds").rglob("*") if p.name.startswith("truth")]


def test_truth_written_under_other_rules_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path / "data", scale=0.05, truth_dir=tmp_path / "truth")
    monkeypatch.setattr(simulate, "COMPLAINT_HAZARD_MULTIPLIER", 1.0)
    with pytest.raises(ValueError, match="complaint_hazard_multiplier"):
        read_truth(tmp_path / "truth")


# -- the truth describes the committed seeds ------------------------------------------------

def test_every_person_of_the_extract_is_in_the_truth(truth: Truth) -> None:
    customers = {int(row["customer_id"]) for row in distinct_rows(SEEDS, "customers")}
    accounts = {int(row["web_account_id"]) for row in distinct_rows(SEEDS, "web_accounts")}
    assert set(truth.customers["customer_id"].dropna().astype(int)) == customers
    assert set(truth.customers["web_account_id"].dropna().astype(int)) == accounts
    assert truth.customers["customer_key"].is_unique


def test_organic_orders_fall_in_active_spans(truth: Truth) -> None:
    """An order that no campaign brought (campaign_id null) on day D: the person has a span with
    active_from <= D < inactive_from (null: active to the end). Only a campaign response's order
    may fall outside, the one-off order of a lapsed customer."""
    orders = orders_by_person(SEEDS, truth)
    spans: dict[int, list[tuple[int, float]]] = defaultdict(list)
    people = person_of(truth)
    for row in truth.spans.itertuples():
        source = ("crm", int(row.customer_id)) if not pd.isna(row.customer_id) else ("web", int(row.web_account_id))
        end = math.inf if pd.isna(row.inactive_from) else (row.inactive_from.date() - ref.HISTORY_START).days
        spans[people[source]].append(((row.active_from.date() - ref.HISTORY_START).days, end))
    inside = [any(start <= day < end for start, end in spans[person])
              for person, day in zip(orders["person"], orders["day"])]
    orders["inside"] = inside
    organic = orders[~orders["is_campaign"]]
    assert organic["inside"].all(), organic[~organic["inside"]].head()
    outside = orders[orders["is_campaign"] & ~orders["inside"]]
    assert 0 < len(outside) < 0.5 * orders["is_campaign"].sum()  # lapsed customers respond, rarely
    # Every span opens with an order on its first day.
    first_days = set(zip(organic["person"], organic["day"]))
    assert all((person, start) in first_days for person, person_spans in spans.items() for start, _ in person_spans)


def test_inactive_customers_stop_buying(truth: Truth) -> None:
    """No organic order on or after inactive_from for a customer who never came back."""
    orders = orders_by_person(SEEDS, truth)
    organic_last = orders[~orders["is_campaign"]].groupby("person")["ordered_at"].max()
    gone = truth.customers[~truth.customers["is_active_at_end"].astype(bool)]
    assert len(gone) > 0.2 * len(truth.customers)
    last = organic_last.reindex(gone.index)
    assert (last.dropna() < gone.loc[last.dropna().index, "inactive_from"]).all()


def test_hazard_steps_are_the_extract_s_service_failures(truth: Truth) -> None:
    """A step for every complaint (at opened_at) and every ticket closed with satisfaction <= 2 (at closed_at)."""
    expected = set()
    for row in distinct_rows(SEEDS, "service_tickets"):
        if row["category"] == "complaint":
            expected.add((int(row["ticket_id"]), int(row["customer_id"]), "complaint", row["opened_at"]))
        if row["closed_at"] and int(row["satisfaction_score"]) <= simulate.POOR_SERVICE_SATISFACTION:
            expected.add((int(row["ticket_id"]), int(row["customer_id"]), "poor_service", row["closed_at"]))
    steps = truth.hazard_steps
    found = {(int(t), int(c), cause, at.strftime("%Y-%m-%d %H:%M:%S"))
             for t, c, cause, at in zip(steps["ticket_id"], steps["customer_id"], steps["cause"], steps["changed_at"])}
    assert found == expected
    assert {cause for *_, cause, _ in found} == {"complaint", "poor_service"}


def test_service_failures_multiply_the_hazard(truth: Truth) -> None:
    """Steps compound per customer, capped; the hazard at the end is the base times the last step."""
    factor = {"complaint": simulate.COMPLAINT_HAZARD_MULTIPLIER,
              "poor_service": simulate.POOR_SERVICE_HAZARD_MULTIPLIER}
    customers = truth.customers.set_index("customer_id")
    for customer_id, steps in truth.hazard_steps.groupby("customer_id"):
        multiplier = 1.0
        for cause, after in zip(steps["cause"], steps["service_hazard_multiplier"]):
            multiplier = min(multiplier * factor[cause], simulate.MAX_SERVICE_HAZARD_MULTIPLIER)
            assert after == pytest.approx(multiplier)
        person = customers.loc[customer_id]
        assert person["service_hazard_multiplier_at_end"] == pytest.approx(multiplier)
        assert person["complaints"] == (steps["cause"] == "complaint").sum()
    with_failures = truth.customers[truth.customers["complaints"] + truth.customers["poor_service_tickets"] > 0]
    without = truth.customers.drop(with_failures.index)
    assert (with_failures["churn_hazard_per_year_at_end"] > with_failures["base_churn_hazard_per_year"]).all()
    assert (without["churn_hazard_per_year_at_end"] == without["base_churn_hazard_per_year"]).all()
    complainers = truth.customers["complaints"] > 0
    assert truth.customers.loc[complainers, "churn_hazard_per_year_at_end"].median() > 1.5 * (
        truth.customers.loc[~complainers, "churn_hazard_per_year_at_end"].median())


def test_value_lowers_the_base_hazard(truth: Truth) -> None:
    by_value = truth.customers.sort_values("value")
    assert by_value["base_churn_hazard_per_year"].is_monotonic_decreasing
    assert by_value["base_churn_hazard_per_year"].iloc[0] > 2 * by_value["base_churn_hazard_per_year"].iloc[-1]


def test_touches_and_earlier_responses_are_the_extract_s(truth: Truth) -> None:
    """Earlier responses: the customer's responses, before the touch, to campaigns that started
    before this one (campaigns are simulated in order of their start)."""
    starts = {int(row["campaign_id"]): (row["starts_on"], int(row["campaign_id"]))
              for row in distinct_rows(SEEDS, "campaigns")}
    touches = sorted(distinct_rows(SEEDS, "campaign_touches"), key=lambda row: starts[int(row["campaign_id"])])
    responses: dict[int, list[tuple[tuple[str, int], str]]] = defaultdict(list)
    earlier: dict[int, int] = {}
    for row in touches:
        order = starts[int(row["campaign_id"])]
        earlier[int(row["touch_id"])] = sum(1 for campaign, at in responses[int(row["customer_id"])]
                                            if campaign < order and at < row["touched_at"])
        if row["responded"] == "true":
            responses[int(row["customer_id"])].append((order, row["responded_at"]))
    truth_touches = truth.touches.set_index("touch_id")
    assert sorted(truth_touches.index) == sorted(earlier)
    assert truth_touches["earlier_responses"].to_dict() == earlier
    raw_responded = {int(row["touch_id"]): row["responded"] == "true" for row in touches}
    assert truth_touches["responded"].astype(bool).to_dict() == raw_responded
    assert (truth_touches["earlier_responses"] > 0).sum() > 0.05 * len(truth_touches)


def test_response_probability_follows_the_rules(truth: Truth) -> None:
    touches = truth.touches.merge(truth.customers[["customer_id", "value"]], on="customer_id")
    campaigns = truth.campaigns.set_index("campaign_id")
    expected = [simulate.response_probability(campaigns.loc[c, "response_rate"], v, int(n), bool(lapsed))
                for c, v, n, lapsed in zip(touches["campaign_id"], touches["value"], touches["earlier_responses"],
                                           touches["was_lapsed"])]
    assert np.allclose(touches["response_probability"], expected)
    # Within a campaign, a customer who responded before is likelier to respond than one who did not.
    active = touches[~touches["was_lapsed"].astype(bool)]
    means = active.groupby(["campaign_id", active["earlier_responses"] > 0])["response_probability"].mean().unstack()
    means = means.dropna()  # the first campaigns touch nobody who responded before
    assert len(means) > 30 and (means[True] > means[False]).all()


def test_lapsed_state_at_a_touch_follows_the_spans(truth: Truth) -> None:
    spans = truth.spans.groupby("customer_id")
    for row in truth.touches.sample(500, random_state=0).itertuples():
        day = pd.Timestamp(row.touched_at).normalize()
        customer_spans = spans.get_group(row.customer_id) if row.customer_id in spans.groups else truth.spans.iloc[:0]
        active = ((customer_spans["active_from"] <= day)
                  & (customer_spans["inactive_from"].isna() | (customer_spans["inactive_from"] > day))).any()
        started = (customer_spans["active_from"] <= day).any()
        assert bool(row.was_lapsed) == (started and not active), row


# -- the planted effects show in the raw data ------------------------------------------------

def test_complaints_and_poor_service_are_followed_by_churn(larger: tuple[Path, Truth],
                                                           larger_purchases: pd.Series) -> None:
    """After a complaint (or poorly served ticket) the customer more often buys nothing for a year
    than after any other ticket. Tickets follow orders alike whatever their category, so the
    comparison is fair: without the planted effect the two shares would be the same."""
    folder, truth = larger
    people = person_of(truth)
    by_person = larger_purchases
    year = np.timedelta64(365, "D")
    kinds: dict[str, list[bool]] = defaultdict(list)
    for row in distinct_rows(folder, "service_tickets"):
        opened = np.datetime64(datetime.fromisoformat(row["opened_at"]))
        if opened >= np.datetime64(ref.HISTORY_END - timedelta(days=365)):
            continue
        bought = by_person.get(people[("crm", int(row["customer_id"]))], np.array([], dtype="datetime64[us]"))
        silent = not ((bought > opened) & (bought <= opened + year)).any()
        poor = bool(row["satisfaction_score"]) and int(row["satisfaction_score"]) <= simulate.POOR_SERVICE_SATISFACTION
        kinds["complaint" if row["category"] == "complaint" else "poor" if poor else "other"].append(silent)
    share = {kind: float(np.mean(values)) for kind, values in kinds.items()}
    assert min(len(values) for values in kinds.values()) > 200
    assert share["complaint"] > share["other"] + 0.06, share
    assert share["poor"] > share["other"] + 0.04, share


def test_earlier_responders_respond_more_and_lapsed_customers_less(larger: tuple[Path, Truth],
                                                                    larger_purchases: pd.Series) -> None:
    """Within each campaign, response rates of touched customers who responded before, and of those
    who bought nothing in the year before the touch, against the rest (observed over expected)."""
    folder, truth = larger
    people = person_of(truth)
    by_person = larger_purchases
    touches = pd.DataFrame(distinct_rows(folder, "campaign_touches"))
    touches["touched_at"] = pd.to_datetime(touches["touched_at"])
    touches["responded_at"] = pd.to_datetime(touches["responded_at"].replace("", None))
    touches["responded"] = touches["responded"] == "true"
    touches = touches.sort_values("touched_at")
    first_response = touches[touches["responded"]].groupby("customer_id")["responded_at"].min()
    touches["responded_before"] = touches["touched_at"] > touches["customer_id"].map(first_response)
    year = np.timedelta64(365, "D")

    def quiet_year(customer_id: str, touched_at: pd.Timestamp) -> bool:
        """Bought before, but nothing in the year before the touch."""
        bought = by_person.get(people[("crm", int(customer_id))], np.array([], dtype="datetime64[us]"))
        before = bought[bought < np.datetime64(touched_at)]
        return len(before) > 0 and before[-1] < np.datetime64(touched_at) - year

    touches["quiet_year"] = [quiet_year(c, t) for c, t in zip(touches["customer_id"], touches["touched_at"])]

    def observed_over_expected(group: str) -> float:
        expected = observed = 0.0
        for _, campaign in touches.groupby("campaign_id"):
            rest = campaign[~campaign[group]]
            if len(rest) < 20:
                continue
            expected += campaign[group].sum() * rest["responded"].mean()
            observed += campaign.loc[campaign[group], "responded"].sum()
        return observed / expected

    assert observed_over_expected("responded_before") > 1.6
    assert observed_over_expected("quiet_year") < 0.6


def test_value_lengthens_the_active_spans(larger: tuple[Path, Truth]) -> None:
    _, truth = larger
    spans = truth.spans.merge(truth.customers[["customer_id", "web_account_id", "value"]],
                              on=["customer_id", "web_account_id"])
    ended = spans[spans["inactive_from"].notna() & (spans["active_from"] >= pd.Timestamp("2022-06-01"))].copy()
    ended["days"] = (ended["inactive_from"] - ended["active_from"]).dt.days
    started_early = spans[spans["active_from"] < pd.Timestamp("2023-01-01")].copy()
    started_early["ended"] = started_early["inactive_from"].notna() & (started_early["inactive_from"] <= HISTORY_END)
    quartile = pd.qcut(started_early["value"], 4, labels=False)
    ended_share = started_early.groupby(quartile)["ended"].mean()
    assert ended_share[0] > ended_share[3] + 0.1, ended_share
    assert len(ended) > 100


# -- the oracle -----------------------------------------------------------------------------

def test_no_purchase_probability_matches_a_simulation() -> None:
    """The formula against a direct simulation of one customer: daily life and Poisson purchases."""
    rng = np.random.default_rng(0)
    seasonal = 0.5 + rng.random(90)
    sums = seasonal.cumsum()
    hazard, rate = 1 / 200, 1 / 40
    formula = no_purchase_probability(np.array([hazard]), np.array([rate]), sums)[0]
    n = 200_000
    alive_days = np.minimum(np.floor(rng.exponential(1 / hazard, n)), len(seasonal)).astype(int)  # active on days 1..k
    purchases = rng.poisson(rate * np.concatenate([[0.0], sums])[alive_days])
    assert formula == pytest.approx(np.mean(purchases == 0), abs=0.005)
    assert no_purchase_probability(np.array([0.01]), np.array([0.0]), sums)[0] == pytest.approx(1.0)
    never_leaves = no_purchase_probability(np.array([0.0]), np.array([rate]), sums)[0]
    assert never_leaves == pytest.approx(math.exp(-rate * sums[-1]))


def test_reactivation_in_window_counts_the_gaps() -> None:
    low, high = simulate.REACTIVATION_GAP_DAYS
    chance = reactivation_in_window(np.array([0, 0, 0, 500]), today=100, days=365, probability=0.3, gap=(low, high))
    assert chance[0] == pytest.approx(0.3 * (465 - low + 1) / (high - low))
    chance_late = reactivation_in_window(np.array([0]), today=500, days=365, probability=0.3, gap=(low, high))[0]
    reopened_by_today = 0.3 * (500 - low + 1) / (high - low)
    assert chance_late == pytest.approx(0.3 * (high - 1 - 500) / (high - low) / (1 - reopened_by_today))
    assert reactivation_in_window(np.array([0]), today=800, days=365, probability=0.3, gap=(low, high))[0] == 0.0
    assert chance[3] == 0.0  # ended after today: not reachable in this window (380 days or more later)


@pytest.mark.parametrize("as_of", ["2023-06-30", "2024-09-30"])
def test_oracle_is_calibrated_on_the_raw_labels(larger: tuple[Path, Truth], larger_orders: pd.DataFrame,
                                                as_of: str) -> None:
    """The churn label of the warehouse (no completed order in the 365 days after as_of), from the
    raw orders, against the oracle: calibrated overall and by decile, and ranking well."""
    _, truth = larger
    orders = larger_orders
    oracle = truth.oracle(as_of, churn_after_days=365)
    people = person_of(truth)
    oracle["person"] = [people[("crm", int(c))] if not pd.isna(c) else people[("web", int(w))]
                        for c, w in zip(oracle["customer_id"], oracle["web_account_id"])]
    start = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    window = orders[orders["is_purchase"] & (orders["ordered_at"] >= start)
                    & (orders["ordered_at"] < start + pd.Timedelta(days=365))]
    oracle["churned"] = ~oracle["person"].isin(set(window["person"]))
    oracle = oracle[~oracle["is_internal"].astype(bool)]
    assert abs(oracle["churn_probability"].mean() - oracle["churned"].mean()) < 0.03
    deciles = oracle.groupby(pd.qcut(oracle["churn_probability"], 10, labels=False))
    gap = (deciles["churn_probability"].mean() - deciles["churned"].mean()).abs()
    assert gap.max() < 0.1, gap
    assert deciles["churned"].mean().iloc[-1] > 0.85 and deciles["churned"].mean().iloc[0] < 0.15
    ranks = oracle["churn_probability"].rank()
    positives = oracle["churned"]
    n_pos, n_neg = positives.sum(), (~positives).sum()
    auc = (ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    assert auc > 0.75
    # Active customers with more service failures are likelier to be lost.
    active = oracle[oracle["is_active"].astype(bool)]
    assert active["churn_hazard_per_year"].corr(active["churned"].astype(float), method="spearman") > 0.1


def test_oracle_states_follow_the_spans(truth: Truth) -> None:
    oracle = truth.oracle(date(2024, 6, 30))
    started = truth.customers[truth.customers["first_active_on"] <= pd.Timestamp("2024-06-30")]
    assert set(oracle["customer_key"]) == set(started["customer_key"])
    merged = oracle.merge(truth.spans, on=["customer_id", "web_account_id"])
    in_span = (merged["active_from"] <= pd.Timestamp("2024-06-30")) & (
        merged["inactive_from"].isna() | (merged["inactive_from"] > pd.Timestamp("2024-06-30")))
    assert (in_span.groupby(merged["customer_key"]).any() == oracle.set_index("customer_key")["is_active"]
            .astype(bool).reindex(in_span.groupby(merged["customer_key"]).any().index)).all()
    assert 0.3 < oracle["is_active"].mean() < 0.9
    lapsed = oracle[~oracle["is_active"].astype(bool)]
    assert (lapsed["churn_probability"] > 0.5).all()
    subset = truth.oracle("2024-06-30", customer_keys=oracle["customer_key"].iloc[:10])
    assert list(subset["customer_key"]) == list(oracle["customer_key"].iloc[:10])


def test_customer_key_is_the_warehouse_s(truth: Truth, warehouse: duckdb.DuckDBPyConnection) -> None:
    """Keys as int_customers__identity_map makes them: md5 of salt || 'crm:' || customer_id, or
    salt || 'web:' || web_account_id (salt: DBT_ENV_SECRET_CRM_KEY_SALT, empty if unset)."""
    assert customer_key(10001, 500001, salt="") == hashlib.md5(b"crm:10001").hexdigest()
    assert customer_key(None, 500002, salt="") == hashlib.md5(b"web:500002").hexdigest()
    assert customer_key(10001, 500001, salt="s3cret") == hashlib.md5(b"s3cretcrm:10001").hexdigest()
    identities = warehouse.execute(
        "select source_system, source_id, customer_key from intermediate.int_customers__identity_map").fetchall()
    key_of = {(system, int(source_id)): key for system, source_id, key in identities}
    crm = truth.customers[truth.customers["customer_id"].notna()]
    assert all(key_of[("crm", int(c))] == k for c, k in zip(crm["customer_id"], crm["customer_key"]))
    web_only = truth.customers[truth.customers["customer_id"].isna()]
    matched = [key_of[("web", int(w))] == k for w, k in zip(web_only["web_account_id"], web_only["customer_key"])]
    assert np.mean(matched) > 0.98
    # A CRM customer's web account the identity rules cannot match becomes a customer of its own.
    with_account = crm[crm["web_account_id"].notna()]
    split = [key_of[("web", int(w))] != k for w, k in zip(with_account["web_account_id"], with_account["customer_key"])]
    assert 0 < np.mean(split) < 0.15
