"""Churn and response propensity: features as of a date, out-of-time evaluation, scores.

Checks the built warehouse: the features use nothing after their date (a rebuild as of a past date
gives the same features at that date, and features recomputed straight from the events agree), the
out-of-time scheme keeps training outcomes before the test period, the SQL AUC is the rank-sum AUC
that scikit-learn computes, the deciles partition the test rows, the kept churn model beats a coin
toss and the single RFM measures, and a refit of the Python model gives the scores of the build.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILE = ROOT / "models" / "intermediate" / "predictive" / "int_predictive__propensity_scores.py"
FEATURES = "intermediate.int_customers__features_by_date"
# A month end well inside the default data (2022-2025), with a year of history before it.
PAST = "2024-06-30"
# "Clearly better than a coin toss": the chosen churn model's out-of-time AUC must exceed this.
MIN_CHURN_AUC = 0.6


def project_vars() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]


def load_model() -> ModuleType:
    """The dbt Python model's file as a module (its functions need no dbt)."""
    spec = importlib.util.spec_from_file_location("predictive_propensity_scores", MODEL_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def frame(warehouse: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return warehouse.execute(sql).df()


def as_of_date(warehouse: duckdb.DuckDBPyConnection) -> dt.date:
    return warehouse.execute("select as_of_date from intermediate.int_calendar__as_of_date").fetchall()[0][0]


# --- features ------------------------------------------------------------------------------------


def test_no_feature_row_is_dated_after_as_of_date(warehouse: duckdb.DuckDBPyConnection) -> None:
    as_of = as_of_date(warehouse)
    dates = [d for (d,) in warehouse.execute(f"select distinct evaluation_date from {FEATURES}").fetchall()]
    assert dates and max(dates) == as_of
    horizon = dt.timedelta(days=int(project_vars()["churn_after_days"]))
    labelled_too_late = warehouse.execute(
        f"select count(*) from {FEATURES} where churns_within_horizon is not null and evaluation_date > ?",
        [as_of - horizon]).fetchall()[0][0]
    assert labelled_too_late == 0, "a churn label whose horizon reaches past as_of_date"


def test_features_recomputed_from_the_events_agree(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The running sums against counts of the events dated on or before T, at every T: an event
    counted before its date (a response at its touch, a score at the ticket's opening) differs."""
    recent = int(project_vars()["propensity_recent_days"])
    poor = int(project_vars()["poor_service_max_satisfaction"])
    recomputed = frame(warehouse, f"""
        with grid as (
            select customer_key, evaluation_date from {FEATURES}
        ),
        tickets as (
            select
                grid.customer_key,
                grid.evaluation_date,
                count(tickets.ticket_id) filter (where tickets.opened_on > grid.evaluation_date - {recent})
                    as recent_tickets,
                count(tickets.ticket_id) filter (where tickets.opened_on > grid.evaluation_date - {recent}
                                                   and tickets.ticket_category = 'complaint') as recent_complaints,
                count(tickets.ticket_id) filter (where tickets.ticket_category = 'complaint') as complaints_to_date,
                count(tickets.ticket_id) filter (where cast(tickets.closed_at as date) <= grid.evaluation_date
                                                   and tickets.satisfaction_score <= {poor})
                    as poorly_served_tickets_to_date,
                avg(tickets.satisfaction_score) filter (where cast(tickets.closed_at as date) <= grid.evaluation_date)
                    as mean_satisfaction_score
            from grid
            left join intermediate.int_service_tickets__as_of as tickets
                on tickets.customer_key = grid.customer_key and tickets.opened_on <= grid.evaluation_date
            group by all
        ),
        lines as (
            select
                grid.customer_key,
                grid.evaluation_date,
                count(distinct lines.category_id) as categories_bought,
                sum(case when lines.is_discounted then lines.recognized_net_revenue else 0 end)
                    / nullif(sum(lines.recognized_net_revenue), 0) as discounted_revenue_share
            from grid
            left join intermediate.int_order_lines__as_of as lines
                on lines.customer_key = grid.customer_key and lines.ordered_on <= grid.evaluation_date
                and lines.is_revenue
            group by all
        ),
        purchases as (
            select
                grid.customer_key,
                grid.evaluation_date,
                count(channels.channel_code) / nullif(count(purchases.order_id), 0) as online_purchase_share
            from grid
            left join intermediate.int_orders__purchases as purchases
                on purchases.customer_key = grid.customer_key and purchases.ordered_on <= grid.evaluation_date
            left join staging.stg_crm__channels as channels
                on channels.channel_code = purchases.channel_code and channels.is_online
            group by all
        ),
        touches as (
            select
                grid.customer_key,
                grid.evaluation_date,
                count(touches.touch_id) as touches_to_date,
                count(touches.touch_id) filter (
                    where cast(touches.touched_at as date) > grid.evaluation_date - {recent}) as recent_touches,
                count(touches.touch_id) filter (where cast(touches.responded_at as date) <= grid.evaluation_date)
                    as responses_to_date
            from grid
            left join intermediate.int_campaign_touches__as_of as touches
                on touches.customer_key = grid.customer_key
                and cast(touches.touched_at as date) <= grid.evaluation_date
            group by all
        )
        select *
        from tickets
        inner join lines using (customer_key, evaluation_date)
        inner join purchases using (customer_key, evaluation_date)
        inner join touches using (customer_key, evaluation_date)
        order by customer_key, evaluation_date""")
    columns = [c for c in recomputed.columns if c not in ("customer_key", "evaluation_date")]
    built = frame(warehouse, f"""
        select customer_key, evaluation_date, {", ".join(columns)}
        from {FEATURES} order by customer_key, evaluation_date""")
    assert len(built) > 1000
    assert (built[columns].fillna(0).sum() > 0).all(), "a feature that is never set tests nothing"
    pd.testing.assert_frame_equal(built, recomputed[["customer_key", "evaluation_date", *columns]],
                                  check_dtype=False, rtol=1e-9)


@pytest.fixture(scope="module")
def past_features(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The features rebuilt as of PAST in a copy of the warehouse: the data after PAST left out."""
    folder = tmp_path_factory.mktemp("past_features")
    database = folder / "crm.duckdb"
    shutil.copy(warehouse_path, database)
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(folder / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT)}
    dbt = Path(sys.executable).parent / "dbt"
    # Staging reads the raw extract and knows no as_of_date: the copy's staging tables serve.
    run = subprocess.run([str(dbt), "run", "--quiet", "--no-use-colors", "--target-path", str(folder / "target"),
                          "--select", "+int_customers__features_by_date", "--exclude", "path:models/staging",
                          "--vars", f"{{as_of_date: '{PAST}'}}"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select * from {FEATURES} order by customer_key, evaluation_date").df()


def test_features_at_a_date_ignore_everything_after_it(past_features: pd.DataFrame,
                                                       warehouse: duckdb.DuckDBPyConnection) -> None:
    """Features of T from the full build equal those of a build that never saw the data after T."""
    assert str(past_features["evaluation_date"].max().date()) == PAST
    dates = ["2023-12-31", PAST]
    full = frame(warehouse, f"""
        select * from {FEATURES} where evaluation_date in (date '{dates[0]}', date '{dates[1]}')
        order by customer_key, evaluation_date""")
    past = past_features[past_features["evaluation_date"].isin(pd.to_datetime(dates))].reset_index(drop=True)
    assert len(full) > 100 and len(full) == len(past)
    # The label looks after T by design; the past build cannot observe it yet.
    features = [c for c in full.columns if c != "churns_within_horizon"]
    pd.testing.assert_frame_equal(full[features], past[features], check_dtype=False, rtol=1e-9)
    assert past_features["churns_within_horizon"].isna().all() or (
        past_features.loc[past_features["churns_within_horizon"].notna(), "evaluation_date"].max()
        <= pd.Timestamp(PAST) - pd.Timedelta(days=int(project_vars()["churn_after_days"])))


# --- out-of-time evaluation -----------------------------------------------------------------------


def test_every_model_is_evaluated_at_each_origin_out_of_time(warehouse: duckdb.DuckDBPyConnection) -> None:
    settings = project_vars()
    horizon = dt.timedelta(days=int(settings["churn_after_days"]))
    performance = frame(warehouse, "select * from marts.fct_predictive_model_performance")
    origins = sorted(set(performance["origin_date"].dt.date), reverse=True)
    assert len(origins) == int(settings["propensity_backtest_origins"])
    assert origins[0] == as_of_date(warehouse)
    assert set(performance["model_name"]) == {f"{target}_{algorithm}" for target in ("churn", "response")
                                              for algorithm in ("logistic_regression", "gradient_boosting")}
    month_ends = {d for (d,) in warehouse.execute(f"select distinct evaluation_date from {FEATURES}").fetchall()}
    for row in performance.itertuples():
        origin, cut = row.origin_date.date(), row.cut_date.date()
        assert row.training_last_event_on.date() <= cut <= row.test_first_event_on.date() <= origin
        if row.target == "churn":
            # T* = the last month end whose horizon has passed by the origin; training horizons end by T*.
            assert cut == max(d for d in month_ends if d + horizon <= origin)
            assert row.test_first_event_on.date() == row.test_last_event_on.date() == cut
            assert row.training_last_event_on.date() + horizon <= cut
        else:
            window = dt.timedelta(days=int(settings["response_window_days"]))
            assert row.training_last_event_on.date() + window <= cut
            assert row.test_last_event_on.date() + window <= origin


def test_the_sql_auc_is_the_rank_sum_auc(warehouse: duckdb.DuckDBPyConnection) -> None:
    tests = frame(warehouse, """
        select model_name, origin_date, predicted_probability, label
        from intermediate.int_predictive__propensity_scores where sample_set = 'test'""")
    performance = frame(warehouse, "select model_name, origin_date, auc from marts.fct_predictive_model_performance")
    assert len(performance) > 0
    for row in performance.itertuples():
        rows = tests[(tests["model_name"] == row.model_name) & (tests["origin_date"] == row.origin_date)]
        expected = roc_auc_score(rows["label"].astype(int), rows["predicted_probability"])
        assert row.auc == pytest.approx(expected, abs=1e-6), (row.model_name, row.origin_date)


def test_the_deciles_partition_the_test_rows(warehouse: duckdb.DuckDBPyConnection) -> None:
    deciles = frame(warehouse, "select * from marts.fct_predictive_model_deciles")
    performance = frame(warehouse, "select * from marts.fct_predictive_model_performance")
    sizes = deciles.groupby(["model_name", "origin_date"])["test_rows"].agg(["sum", "min", "max", "count"])
    positives = deciles.groupby(["model_name", "origin_date"])["positives"].sum()
    for row in performance.itertuples():
        size = sizes.loc[(row.model_name, row.origin_date)]
        assert size["sum"] == row.test_rows and size["count"] == 10 and size["max"] - size["min"] <= 1
        assert positives.loc[(row.model_name, row.origin_date)] == row.test_positives
    # Each test prediction sits in one decile, and higher deciles never hold higher probabilities.
    ranked = frame(warehouse, """
        select model_name, origin_date, sample_set, decile, min(predicted_probability) as low,
               max(predicted_probability) as high
        from intermediate.int_predictive__ranked_scores group by all order by all""")
    for _, group in ranked.groupby(["model_name", "origin_date", "sample_set"]):
        assert (group["low"].to_numpy()[:-1] >= group["high"].to_numpy()[1:]).all()


def test_probabilities_are_probabilities(warehouse: duckdb.DuckDBPyConnection) -> None:
    for table, column in (("intermediate.int_predictive__propensity_scores", "predicted_probability"),
                          ("marts.fct_customer_churn_propensity", "churn_probability"),
                          ("marts.fct_customer_response_propensity", "response_probability")):
        low, high, nulls = warehouse.execute(
            f"select min({column}), max({column}), count(*) - count({column}) from {table}").fetchall()[0]
        assert 0 <= low <= high <= 1 and nulls == 0, table
        assert high > low, f"{table}: every customer gets the same probability"


def test_the_kept_churn_model_beats_a_coin_toss_and_the_single_rfm_measures(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    """At as_of_date, out of time: AUC well above 0.5, and above ranking by recency or frequency alone."""
    kept = frame(warehouse, """
        select model_name, cut_date, auc from marts.fct_predictive_model_performance
        where target = 'churn' and is_production_origin and is_chosen""")
    assert len(kept) == 1
    model_name, cut, auc = kept.iloc[0]
    assert auc > MIN_CHURN_AUC
    test = frame(warehouse, f"""
        select features.days_since_last_purchase, features.purchases_in_window, scores.label
        from intermediate.int_predictive__propensity_scores as scores
        inner join {FEATURES} as features
            on scores.customer_key = features.customer_key and scores.evaluation_date = features.evaluation_date
        where scores.model_name = '{model_name}' and scores.sample_set = 'test'
            and scores.origin_date = (select as_of_date from intermediate.int_calendar__as_of_date)""")
    labels = test["label"].astype(int)
    recency = roc_auc_score(labels, test["days_since_last_purchase"])
    frequency = roc_auc_score(labels, -test["purchases_in_window"])
    assert auc > max(recency, frequency), f"{model_name} {auc:.3f}: recency {recency:.3f}, frequency {frequency:.3f}"


def test_the_propensity_marts_use_the_kept_model(warehouse: duckdb.DuckDBPyConnection) -> None:
    for target, mart in (("churn", "fct_customer_churn_propensity"), ("response", "fct_customer_response_propensity")):
        kept = warehouse.execute(f"""
            select model_name from marts.fct_predictive_model_performance
            where target = '{target}' and is_production_origin and is_chosen""").fetchall()
        used = warehouse.execute(f"select distinct model_name from marts.{mart}").fetchall()
        assert used == kept, mart


# --- the Python model ------------------------------------------------------------------------------


class FakeDbt:
    """What a dbt Python model sees: ref() as DuckDB relations, config.get() as the vars."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: dict[str, Any]) -> None:
        self.con = con
        self.config = type("config", (), {"get": staticmethod(lambda key: settings[key])})

    def ref(self, name: str) -> Any:
        return self.con.query(f"select * from intermediate.{name}")


def test_a_refit_gives_the_scores_of_the_build(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Deterministic: the model run again on the same features predicts exactly what the build stored."""
    model = load_model()
    settings = {key: value for key, value in project_vars().items()
                if key.startswith(("propensity_", "response_")) or key == "churn_after_days"}
    refit = model.model(FakeDbt(warehouse, settings), warehouse).df()
    built = frame(warehouse, "select * from intermediate.int_predictive__propensity_scores")
    keys = ["model_name", "origin_date", "sample_set", "example_id"]
    refit, built = (f.sort_values(keys).reset_index(drop=True) for f in (refit, built))
    assert len(refit) == len(built) > 0
    pd.testing.assert_frame_equal(refit, built, check_dtype=False)


def test_a_short_history_skips_the_origins_it_cannot_fit() -> None:
    """Fewer training rows than the minimum: no fit at that origin (documented fallback)."""
    model = load_model()
    training = pd.DataFrame({"label": [0, 1] * 50})
    settings = model.Settings(as_of_date=dt.date(2025, 12, 31), churn_after_days=365, response_window_days=30,
                              response_test_days=365, backtest_origins=4, backtest_spacing_months=3,
                              max_sample_rows=1000, min_training_rows=200, random_state=42)
    assert not model.can_fit(training, settings)
    assert model.can_fit(pd.DataFrame({"label": [0, 1] * 100}), settings)
    assert not model.can_fit(pd.DataFrame({"label": [0] * 300}), settings), "one outcome only"
    assert model.origin_dates(settings) == [dt.date(2025, 12, 31), dt.date(2025, 9, 30), dt.date(2025, 6, 30),
                                            dt.date(2025, 3, 31)]


def test_the_design_matrix_scales_long_tails_and_encodes_categories() -> None:
    model = load_model()
    rows = pd.DataFrame({name: [np.nan, 2.0] for name in (*model.FEATURES, *model.FLAGS)})
    rows["revenue_to_date"] = [np.e - 1, -(np.e - 1)]
    rows["lifecycle_stage"] = ["stable", None]
    rows["value_tier"] = ["key", "small"]
    matrix = model.design_matrix(rows)
    position = model.FEATURES.index("revenue_to_date")
    assert matrix[:, position] == pytest.approx([1.0, -1.0])
    one_hot = matrix[:, len(model.FEATURES) + len(model.FLAGS):]
    categories = [f"{column}={value}" for column, values in model.CATEGORIES.items() for value in values]
    assert [c for c, v in zip(categories, one_hot[0]) if v] == ["lifecycle_stage=stable", "value_tier=key"]
    assert [c for c, v in zip(categories, one_hot[1]) if v] == ["value_tier=small"]
