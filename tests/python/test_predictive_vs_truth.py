"""The predictive models against the generator's ground truth: how close each comes to an oracle
that knows every customer's true state (crm_warehouse/generator/truth.py).

The warehouse the tests read is built from the committed seeds, whose truth load_truth()
simulates again. On the same out-of-time test rows as the kept model: the churn model's AUC
against the AUC of the true churn probability, the response model's against the true response
probability, and P(alive) against the true active state at as_of_date. Each model must recover
a share of the oracle's gain over chance, and none may beat the oracle by more than noise (a
model above the truth would be reading the future). The figures go to
target/predictive_vs_truth.json for the closing notes and the report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from sklearn.metrics import roc_auc_score

from crm_warehouse.generator.truth import Truth, load_truth

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "target" / "predictive_vs_truth.json"
# Share of the oracle's gain over chance (AUC - 0.5) a model must recover, and how far above the
# oracle's AUC sampling noise may put a model on about a thousand test rows.
MIN_GAIN_SHARE = 0.3
NOISE = 0.03
MIN_MATCHED_SHARE = 0.95


@dataclass(frozen=True)
class VersusTruth:
    model: str
    evaluated_on: str
    rows: int
    model_auc: float
    oracle_auc: float

    @property
    def gain_share(self) -> float:
        return (self.model_auc - 0.5) / (self.oracle_auc - 0.5)


@pytest.fixture(scope="module")
def truth() -> Truth:
    return load_truth()


@pytest.fixture(scope="module")
def results() -> dict[str, VersusTruth]:
    found: dict[str, VersusTruth] = {}
    yield found
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps({name: {**asdict(result), "gain_share": result.gain_share}
                                   for name, result in found.items()}, indent=2))


def churn_after_days() -> int:
    return int(yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["churn_after_days"])


def kept_test_rows(warehouse: duckdb.DuckDBPyConnection, target: str) -> pd.DataFrame:
    """The out-of-time test rows of the model kept at as_of_date for a target."""
    return warehouse.execute("""
        select scores.example_id, scores.customer_key, scores.evaluation_date, scores.predicted_probability,
               scores.label, scores.model_name
        from intermediate.int_predictive__propensity_scores as scores
        inner join marts.fct_predictive_model_performance as performance
            on scores.model_name = performance.model_name and scores.origin_date = performance.origin_date
        where performance.is_chosen and performance.is_production_origin and performance.target = ?
            and scores.sample_set = 'test'
    """, [target]).df()


def test_the_warehouse_holds_the_truths_customers(warehouse: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    keys = {row[0] for row in warehouse.execute("select customer_key from marts.dim_customers").fetchall()}
    people = truth.customers[~truth.customers["is_internal"].astype(bool)]
    assert set(people["customer_key"]) <= keys, "the warehouse was not built from the committed seeds"


def test_churn_model_against_the_oracle(warehouse: duckdb.DuckDBPyConnection, truth: Truth,
                                        results: dict[str, VersusTruth]) -> None:
    rows = kept_test_rows(warehouse, "churn")
    [evaluated_on] = rows["evaluation_date"].unique()
    oracle = truth.oracle(pd.Timestamp(evaluated_on).date(), churn_after_days(), rows["customer_key"])
    matched = rows.merge(oracle[["customer_key", "churn_probability"]], on="customer_key", how="inner")
    assert len(matched) >= MIN_MATCHED_SHARE * len(rows), f"{len(matched)} of {len(rows)} test rows in the truth"
    labels = matched["label"].astype(bool)
    result = VersusTruth(rows["model_name"].iloc[0], str(evaluated_on), len(matched),
                         roc_auc_score(labels, matched["predicted_probability"]),
                         roc_auc_score(labels, matched["churn_probability"]))
    results["churn"] = result
    assert result.oracle_auc > 0.6, result  # the planted behaviour is there to be found
    assert result.gain_share >= MIN_GAIN_SHARE, result
    assert result.model_auc <= result.oracle_auc + NOISE, result


def test_response_model_against_the_true_response_probability(
        warehouse: duckdb.DuckDBPyConnection, truth: Truth, results: dict[str, VersusTruth]) -> None:
    rows = kept_test_rows(warehouse, "response")
    rows["touch_id"] = rows["example_id"].str.removeprefix("touch-").astype("int64")
    touches = truth.touches[["touch_id", "response_probability"]].astype({"touch_id": "int64"})
    matched = rows.merge(touches, on="touch_id", how="inner")
    assert len(matched) >= MIN_MATCHED_SHARE * len(rows), f"{len(matched)} of {len(rows)} test touches in the truth"
    labels = matched["label"].astype(bool)
    result = VersusTruth(rows["model_name"].iloc[0], f"{matched['evaluation_date'].min()}..", len(matched),
                         roc_auc_score(labels, matched["predicted_probability"]),
                         roc_auc_score(labels, matched["response_probability"]))
    results["response"] = result
    assert result.oracle_auc > 0.6, result
    assert result.gain_share >= MIN_GAIN_SHARE, result
    assert result.model_auc <= result.oracle_auc + NOISE, result


def test_p_alive_against_the_true_active_state(warehouse: duckdb.DuckDBPyConnection, truth: Truth,
                                               results: dict[str, VersusTruth]) -> None:
    scores = warehouse.execute(
        "select customer_key, as_of_date, p_alive from marts.fct_customer_lifetime_value_probabilistic").df()
    [as_of] = scores["as_of_date"].unique()
    state = truth.oracle(pd.Timestamp(as_of).date(), churn_after_days(), scores["customer_key"])
    matched = scores.merge(state[["customer_key", "is_active"]], on="customer_key", how="inner")
    assert len(matched) >= MIN_MATCHED_SHARE * len(scores), f"{len(matched)} of {len(scores)} customers in the truth"
    active = matched["is_active"].astype(bool)
    # The oracle knows the state: its AUC is 1. The gain share is then (AUC - 0.5) / 0.5.
    result = VersusTruth("p_alive", str(as_of), len(matched), roc_auc_score(active, matched["p_alive"]), 1.0)
    results["p_alive"] = result
    assert result.gain_share >= MIN_GAIN_SHARE, result
