"""Churn and campaign-response propensity: each model fitted and tested out of time, then scored.

Two targets, one scheme:

- churn: an active customer (a buyer, not churned) at a month end T churns when they make no
  purchase in the churn_after_days after T (int_customers__features_by_date.churns_within_horizon,
  the lifecycle's churn definition). The label of T is known on T + churn_after_days.
- response: a campaign touch is answered when the customer responds within response_window_days
  (int_predictive__response_examples); the label is known that many days after the touch.

For each origin date O (as_of_date, then propensity_backtest_origins - 1 earlier ones, spaced
propensity_backtest_spacing_months apart) both algorithms, logistic regression on standardised
features and histogram gradient boosting, are fitted and tested out of time:

- a cut date C: churn, the last month end whose label is known by O; response, O minus the
  label window and response_test_days;
- test rows: examples dated on or after C whose label is known by O;
- training rows: examples whose label was known by C, so no training label window reaches into
  the test period and nothing the model learned had happened after its test examples' date.

At as_of_date both algorithms are then refitted on every example whose label is known and score
the population: every active customer (churn) or every customer (response) at as_of_date. The
output is long: one row per model, origin, sample_set ('test' or 'score') and example, with the
predicted probability and, for test rows, the observed label. Which algorithm is kept, AUC,
deciles, lift and calibration are computed in SQL on top (models/marts/predictive), where they
are documented and unit-tested.

Deterministic: rows are fetched in key order, samples are taken by hash of the row's key, and the
gradient boosting's random state is var propensity_random_state. DuckDB only (relations of the
DuckDB Python API); disabled on other targets (see _int_predictive__models.yml).

Reads, through its YAML config (dbt.config.get): var('churn_after_days'), var('response_window_days'),
var('response_test_days'), var('propensity_backtest_origins'), var('propensity_backtest_spacing_months'),
var('propensity_max_sample_rows'), var('propensity_min_training_rows'), var('propensity_random_state').
"""

# No `from __future__ import annotations`: dbt-duckdb runs this file as a module outside sys.modules,
# where dataclasses cannot resolve annotations given as text.
# dbt builds two models at a time, each in its own thread. Two Python models importing
# scikit-learn or SciPy at the same moment can meet in a cycle of Python's module locks and
# get a half-initialised module ("cannot import name 'clone' from partially initialized
# module 'sklearn.base'"). One lock, shared by the project's Python models through the
# builtins module (every model's code runs in the same process), takes the imports in turn.
import builtins
import threading

with builtins.__dict__.setdefault("crm_warehouse_import_lock", threading.Lock()):
    import datetime as dt
    from collections.abc import Iterator
    from dataclasses import dataclass
    from typing import Any

    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

# Numeric features of int_customers__features_by_date (null where undefined, e.g. the gap ratios
# of a one-time buyer): the logistic regression imputes medians and adds missing flags; the
# gradient boosting learns a branch for missing values.
FEATURES: tuple[str, ...] = (
    "tenure_days", "days_since_first_purchase", "days_since_last_purchase", "purchases_to_date",
    "purchases_in_window", "revenue_to_date", "margin_to_date", "revenue_in_window", "recency_score",
    "frequency_score", "monetary_score", "margin_rank_share", "mean_days_between_purchases",
    "days_between_last_two_purchases", "last_gap_ratio", "overdue_ratio", "online_purchase_share",
    "categories_bought", "discounted_revenue_share", "recent_tickets", "recent_complaints",
    "complaints_to_date", "poorly_served_tickets_to_date",
    "mean_satisfaction_score", "satisfaction_index", "touches_to_date", "recent_touches",
    "responses_to_date", "response_rate_to_date",
)
# Long-tailed amounts and counts enter as sign(x) * log(1 + |x|): a few large customers would
# otherwise dominate the logistic regression's scaled coefficients (trees are unaffected).
LOG_SCALED: frozenset[str] = frozenset({
    "purchases_to_date", "purchases_in_window", "revenue_to_date", "margin_to_date", "revenue_in_window",
    "touches_to_date", "responses_to_date", "categories_bought",
})
FLAGS: tuple[str, ...] = ("is_buyer", "is_churned")
# One-hot categories; lists as in int_customers__state_by_date (a value outside them is all zeros).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "lifecycle_stage": ("prospect", "new", "developing", "stable", "declining", "churned", "reactivated"),
    "value_tier": ("key", "major", "ordinary", "small"),
}
LOGISTIC = "logistic_regression"
BOOSTING = "gradient_boosting"


@dataclass(frozen=True)
class Settings:
    """The vars the model reads (through its YAML config), and as_of_date."""

    as_of_date: dt.date
    churn_after_days: int
    response_window_days: int
    response_test_days: int
    backtest_origins: int
    backtest_spacing_months: int
    max_sample_rows: int
    min_training_rows: int
    random_state: int

    @classmethod
    def from_config(cls, config: dict[str, Any], as_of_date: dt.date) -> "Settings":
        return cls(as_of_date=as_of_date, churn_after_days=int(config["churn_after_days"]),
                   response_window_days=int(config["response_window_days"]),
                   response_test_days=int(config["response_test_days"]),
                   backtest_origins=int(config["propensity_backtest_origins"]),
                   backtest_spacing_months=int(config["propensity_backtest_spacing_months"]),
                   max_sample_rows=int(config["propensity_max_sample_rows"]),
                   min_training_rows=int(config["propensity_min_training_rows"]),
                   random_state=int(config["propensity_random_state"]))


@dataclass(frozen=True)
class Task:
    """A target: its examples (labelled or not) and the population it scores at as_of_date.

    Both relations carry example_id, customer_key, evaluation_date (of the features),
    event_date (the example's own date: T, or the touch), label_known_on, label and the features.
    test_days None: the test is the last event date labelled by the origin (churn: one month
    end); else the events of test_days days before the last labelled ones (response).
    """

    target: str
    examples: Any
    population: Any
    label_days: int
    test_days: int | None


@dataclass(frozen=True)
class Split:
    """The rows one fit learns from and the rows it predicts."""

    origin_date: dt.date
    cut_date: dt.date
    sample_set: str
    training: pd.DataFrame
    predicted: pd.DataFrame


def feature_columns() -> str:
    """The features as doubles (nulls as NaN in pandas), and the categories as text."""
    numbers = [f"cast({name} as double) as {name}" for name in (*FEATURES, *FLAGS)]
    return ", ".join([*numbers, *CATEGORIES])


def sql_date(value: dt.date) -> str:
    return f"date '{value.isoformat()}'"


def churn_task(features: Any, settings: Settings) -> Task:
    days = settings.churn_after_days
    columns = ("customer_key || '@' || cast(evaluation_date as varchar) as example_id, customer_key, "
               "evaluation_date, evaluation_date as event_date, "
               f"cast(evaluation_date + {days} as date) as label_known_on, ")
    active = features.filter("is_buyer and not is_churned")
    return Task(
        target="churn",
        examples=active.project(columns + "cast(churns_within_horizon as integer) as label, " + feature_columns()),
        population=active.filter(f"evaluation_date = {sql_date(settings.as_of_date)}").project(
            columns + "cast(null as integer) as label, " + feature_columns()),
        label_days=days,
        test_days=None,
    )


def response_task(examples: Any, features: Any, settings: Settings) -> Task:
    days = settings.response_window_days
    return Task(
        target="response",
        examples=examples.project(
            "'touch-' || cast(touch_id as varchar) as example_id, customer_key, evaluation_date, "
            f"touched_on as event_date, cast(touched_on + {days} as date) as label_known_on, "
            "cast(responds_within_window as integer) as label, " + feature_columns()),
        population=features.filter(f"evaluation_date = {sql_date(settings.as_of_date)}").project(
            "customer_key || '@' || cast(evaluation_date as varchar) as example_id, customer_key, evaluation_date, "
            "evaluation_date as event_date, cast(null as date) as label_known_on, cast(null as integer) as label, "
            + feature_columns()),
        label_days=days,
        test_days=settings.response_test_days,
    )


def origin_dates(settings: Settings) -> list[dt.date]:
    """as_of_date first, then the back-test origins, each spacing months earlier."""
    as_of = pd.Timestamp(settings.as_of_date)
    return [(as_of - pd.DateOffset(months=settings.backtest_spacing_months * k)).date()
            for k in range(settings.backtest_origins)]


def fetch(relation: Any, condition: str, max_rows: int | None) -> pd.DataFrame:
    """Rows meeting condition, in key order; at most max_rows, a sample by hash of the key.

    DuckDB sorts (example_id is unique, and its byte order is Python's order of the same text):
    pandas sorting the ids as Python strings (a million in the scoring population) cost 3.5 s of
    this model at scale 500."""
    selected = relation.filter(condition)
    if max_rows is not None:
        selected = selected.order("md5(example_id), example_id").limit(max_rows)
    return selected.order("example_id").df()


def cut_date(task: Task, origin: dt.date) -> dt.date | None:
    """Training labels must be known by this date; the test starts at it."""
    if task.test_days is not None:
        return origin - dt.timedelta(days=task.label_days + task.test_days)
    latest = task.examples.filter(f"label_known_on <= {sql_date(origin)}").aggregate("max(event_date)").fetchall()
    return None if latest[0][0] is None else pd.Timestamp(latest[0][0]).date()


def backtest_split(task: Task, origin: dt.date, settings: Settings) -> Split | None:
    cut = cut_date(task, origin)
    if cut is None:
        return None
    training = fetch(task.examples, f"label is not null and label_known_on <= {sql_date(cut)}",
                     settings.max_sample_rows)
    test = fetch(task.examples, f"label is not null and event_date >= {sql_date(cut)} "
                                f"and label_known_on <= {sql_date(origin)}", settings.max_sample_rows)
    return Split(origin, cut, "test", training, test)


def scoring_split(task: Task, settings: Settings) -> Split:
    as_of = settings.as_of_date
    training = fetch(task.examples, f"label is not null and label_known_on <= {sql_date(as_of)}",
                     settings.max_sample_rows)
    return Split(as_of, as_of, "score", training, fetch(task.population, "true", None))


def design_matrix(frame: pd.DataFrame) -> np.ndarray:
    numbers = np.array(frame[list(FEATURES) + list(FLAGS)].to_numpy(dtype=float, na_value=np.nan), copy=True)
    for position, name in enumerate(FEATURES):
        if name in LOG_SCALED:
            numbers[:, position] = np.sign(numbers[:, position]) * np.log1p(np.abs(numbers[:, position]))
    one_hot = []
    for column, values in CATEGORIES.items():
        categories = frame[column].to_numpy(dtype=object)  # once per column: a copy of every value
        one_hot.extend((categories == value).astype(float)[:, None] for value in values)
    return np.hstack([numbers, *one_hot])


def new_estimator(algorithm: str, random_state: int) -> Pipeline | HistGradientBoostingClassifier:
    if algorithm == LOGISTIC:
        # Median imputation with missing flags, standardised, L2-penalised (C = 1).
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                             StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    # Shallow trees, slow learning and a fixed number of rounds (no early stopping, whose random
    # validation split would make the fit depend on more than the data): little to overfit on
    # a few thousand rows.
    return HistGradientBoostingClassifier(learning_rate=0.1, max_iter=100, max_depth=3, min_samples_leaf=40,
                                          l2_regularization=1.0, max_bins=63, early_stopping=False,
                                          random_state=random_state)


def can_fit(training: pd.DataFrame, settings: Settings) -> bool:
    return len(training) >= settings.min_training_rows and training["label"].nunique() == 2


# Rows predicted at a time. Scoring reads every customer at as_of_date; their design matrix and
# the pipeline's scaled copies of it, built at once, were most of this model's memory (about 1 GB
# at a million customers, beside DuckDB's own). Each row's prediction depends on that row alone.
PREDICT_CHUNK_ROWS = 100_000


def fitted_estimators(split: Split, settings: Settings) -> dict[str, Pipeline | HistGradientBoostingClassifier]:
    """Both algorithms fitted on the split's training rows (one design matrix for both)."""
    training = design_matrix(split.training)
    labels = split.training["label"].to_numpy(dtype=int)
    return {algorithm: new_estimator(algorithm, settings.random_state).fit(training, labels)
            for algorithm in (LOGISTIC, BOOSTING)}


def split_predictions(task: Task, split: Split, settings: Settings) -> list[pd.DataFrame]:
    """Fit both algorithms on the split's training rows and predict its other rows, a chunk at a time."""
    predicted = split.predicted
    # One thread: the fits are small, and OpenMP's and BLAS's thread pools spin-wait for cores that
    # dbt's other threads and DuckDB are using (on 2 busy cores, ten times slower).
    with threadpool_limits(limits=1):
        estimators = fitted_estimators(split, settings)
        probabilities = {algorithm: np.empty(len(predicted)) for algorithm in estimators}
        for start in range(0, len(predicted), PREDICT_CHUNK_ROWS):
            chunk = design_matrix(predicted.iloc[start:start + PREDICT_CHUNK_ROWS])
            for algorithm, estimator in estimators.items():
                probabilities[algorithm][start:start + len(chunk)] = estimator.predict_proba(chunk)[:, 1]
    return [output_rows(task, split, algorithm, probability) for algorithm, probability in probabilities.items()]


def output_rows(task: Task, split: Split, algorithm: str, probability: np.ndarray) -> pd.DataFrame:
    """One algorithm's predictions in the output's columns. Dates stay datetime64 until the final
    projection casts them: as Python date objects they cost about 40 bytes a row each."""
    predicted = split.predicted
    labels = predicted["label"]
    return pd.DataFrame({
        "target": task.target,
        "model_name": f"{task.target}_{algorithm}",
        "algorithm": algorithm,
        "origin_date": pd.Timestamp(split.origin_date),
        "sample_set": split.sample_set,
        "example_id": predicted["example_id"].astype(str),
        "customer_key": predicted["customer_key"].astype(str),
        "evaluation_date": pd.to_datetime(predicted["evaluation_date"]),
        "event_date": pd.to_datetime(predicted["event_date"]),
        "predicted_probability": probability.astype(float),
        "label": labels.astype("boolean") if split.sample_set == "test" else pd.array([None] * len(labels), "boolean"),
        "cut_date": pd.Timestamp(split.cut_date),
        "training_rows": len(split.training),
        "training_positives": int(split.training["label"].sum()),
        "training_first_event_on": pd.Timestamp(split.training["event_date"].min()),
        "training_last_event_on": pd.Timestamp(split.training["event_date"].max()),
    })


def task_splits(task: Task, settings: Settings) -> Iterator[Split | None]:
    """The back-test splits, then the scoring split, made one at a time: only one split's rows are
    held at once."""
    for origin in origin_dates(settings):
        yield backtest_split(task, origin, settings)
    yield scoring_split(task, settings)


def task_predictions(task: Task, settings: Settings) -> list[pd.DataFrame]:
    frames = []
    for split in task_splits(task, settings):
        if split is not None and can_fit(split.training, settings):
            frames.extend(split_predictions(task, split, settings))
    return frames


# The output's columns and types: the marts' contracts rely on them, even when nothing could be fitted.
OUTPUT_TYPES: dict[str, str] = {
    "target": "varchar", "model_name": "varchar", "algorithm": "varchar", "origin_date": "date",
    "sample_set": "varchar", "example_id": "varchar", "customer_key": "varchar", "evaluation_date": "date",
    "event_date": "date", "predicted_probability": "double", "label": "boolean", "cut_date": "date",
    "training_rows": "bigint", "training_positives": "bigint", "training_first_event_on": "date",
    "training_last_event_on": "date",
}


def propensity_scores(tasks: list[Task], settings: Settings) -> pd.DataFrame:
    frames = [frame for task in tasks for frame in task_predictions(task, settings)]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in OUTPUT_TYPES})
    return pd.concat(frames, ignore_index=True)


def model(dbt: Any, session: Any) -> Any:
    # One literal dbt.config.get per var: dbt finds the keys a Python model reads by parsing these calls.
    config = {
        "churn_after_days": dbt.config.get("churn_after_days"),
        "response_window_days": dbt.config.get("response_window_days"),
        "response_test_days": dbt.config.get("response_test_days"),
        "propensity_backtest_origins": dbt.config.get("propensity_backtest_origins"),
        "propensity_backtest_spacing_months": dbt.config.get("propensity_backtest_spacing_months"),
        "propensity_max_sample_rows": dbt.config.get("propensity_max_sample_rows"),
        "propensity_min_training_rows": dbt.config.get("propensity_min_training_rows"),
        "propensity_random_state": dbt.config.get("propensity_random_state"),
    }
    # dbt finds a model's refs by parsing its dbt.ref calls: one call per statement, never chained.
    calendar = dbt.ref("int_calendar__as_of_date")
    as_of = pd.Timestamp(calendar.fetchall()[0][0]).date()
    settings = Settings.from_config(config, as_of)
    features = dbt.ref("int_customers__features_by_date")
    examples = dbt.ref("int_predictive__response_examples")
    tasks = [churn_task(features, settings), response_task(examples, features, settings)]
    scores = session.from_df(propensity_scores(tasks, settings))
    return scores.project(", ".join(f"cast({name} as {sql_type}) as {name}" for name, sql_type in OUTPUT_TYPES.items()))
