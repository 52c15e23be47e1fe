"""Buy-till-you-die scores: per customer, P(alive), expected purchases and expected margin per purchase.

For each origin and purchase model fitted in int_predictive__btyd_fit, every customer of the
origin is scored with the closed forms of the papers cited there (time in weeks = days / 7):

- P(alive) at the origin. BG/NBD: 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)),
  so a customer without a repeat purchase is alive by construction (BG/NBD's known quirk);
  MBG/NBD: 1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x)).
- Expected purchases in the next t weeks: P(alive) times the purchases an alive customer makes,
  with the parameters updated by their own history (rate Gamma(r + x, alpha + T), drop-out
  Beta(a, b + x) for BG/NBD, Beta(a, b + x + 1) for MBG/NBD; both then drop out after purchases):
  (a + b' - 1) / (a - 1) [1 - (alpha' / (alpha' + t))^r' 2F1(r', b'; a + b' - 1; t / (alpha' + t))].
- Expected margin per purchase (Gamma-Gamma): p (v + x m) / (p x + q - 1), a weighted mean of the
  population mean p v / (q - 1) and the customer's own mean repeat margin m; the population mean
  when x = 0. It is the same for both purchase models.
- Discounted expected purchases over var ltv_horizon_years years from the origin: the purchases
  expected in year i (365 days each) divided by (1 + d)^i, d = var ltv_discount_rate (each
  year's purchases counted at its end, as fct_customer_lifetime_value discounts year i).
- At a back-test origin also the purchases expected in its holdout (fct_btyd_model_fit compares
  them with what came, and with a naive benchmark).

Back-test origins score their fit sample only (they test the models; int_predictive__btyd_summary
picks the sample); as_of_date scores every customer.

Reads, through its YAML config: var('ltv_horizon_years'), var('ltv_discount_rate').
"""

# dbt builds two models at a time, each in its own thread. Two Python models importing
# scikit-learn or SciPy at the same moment can meet in a cycle of Python's module locks and
# get a half-initialised module ("cannot import name 'clone' from partially initialized
# module 'sklearn.base'"). One lock, shared by the project's Python models through the
# builtins module (every model's code runs in the same process), takes the imports in turn.
import builtins
import threading

with builtins.__dict__.setdefault("crm_warehouse_import_lock", threading.Lock()):
    from dataclasses import dataclass

    import numpy as np
    import pandas as pd
    from scipy import special

DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.0
SPEND_MODEL = "gamma_gamma"


@dataclass(frozen=True)
class PurchaseParameters:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class SpendParameters:
    p: float
    q: float
    v: float


@dataclass(frozen=True)
class History:
    """Customers' summaries in weeks: x repeat purchases, the last t_x after the first, age T."""
    x: np.ndarray
    t_x: np.ndarray
    big_t: np.ndarray


def probability_alive(params: PurchaseParameters, history: History, model_name: str) -> np.ndarray:
    """P(alive at T | x, t_x, T): the share of the likelihood in which the customer has not dropped out."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, big_t = history.x, history.t_x, history.big_t
    log_ratio_of_times = (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    if model_name == "bg_nbd":
        # b + x - 1 may be <= 0 where x = 0; those customers are alive by construction anyway.
        log_odds_dropped = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + log_ratio_of_times
        return np.where(x > 0, special.expit(-log_odds_dropped), 1.0)
    if model_name == "mbg_nbd":
        return special.expit(-(np.log(a) - np.log(b + x) + log_ratio_of_times))
    raise ValueError(f"unknown purchase model {model_name!r}")


def purchases_if_alive(r: np.ndarray, alpha: np.ndarray, a: float, b: np.ndarray, weeks: float) -> np.ndarray:
    """Expected purchases in the next `weeks` of a customer alive now, rate ~ Gamma(r, alpha),
    drop-out ~ Beta(a, b) after each purchase (the BG/NBD mean, Fader, Hardie and Lee 2005 eq. 7)."""
    if weeks <= 0:
        return np.zeros_like(np.asarray(r, dtype=float))
    # The closed form has a - 1 in a denominator; at a = 1 it is the limit, taken numerically.
    a = a if abs(a - 1) > 1e-7 else 1 + 1e-7
    z = weeks / (alpha + weeks)
    hypergeometric = special.hyp2f1(r, b, a + b - 1, z)
    expected = (a + b - 1) / (a - 1) * (1 - np.power(alpha / (alpha + weeks), r) * hypergeometric)
    if not np.all(np.isfinite(expected)):
        raise ValueError(f"expected purchases not finite for {int(np.sum(~np.isfinite(expected)))} customers "
                         f"(a={a}, weeks={weeks}): the hypergeometric series failed")
    return expected


def expected_purchases(params: PurchaseParameters, history: History, model_name: str, weeks: float) -> np.ndarray:
    """E[purchases in (T, T + weeks] | x, t_x, T] = P(alive) x purchases of an alive customer."""
    posterior_b = params.b + history.x + (1.0 if model_name == "mbg_nbd" else 0.0)
    alive = purchases_if_alive(params.r + history.x, params.alpha + history.big_t, params.a, posterior_b, weeks)
    return probability_alive(params, history, model_name) * alive


def purchases_by_year(params: PurchaseParameters, history: History, model_name: str,
                      horizon_years: int) -> list[np.ndarray]:
    """Expected purchases from the origin to the end of each year 0..H (365 days each; year 0: none)."""
    weeks_per_year = DAYS_PER_YEAR / DAYS_PER_WEEK
    return [expected_purchases(params, history, model_name, year * weeks_per_year)
            for year in range(horizon_years + 1)]


def discounted_purchases(by_year: list[np.ndarray], discount_rate: float) -> np.ndarray:
    """Sum over years i = 1..H of the purchases expected in year i, divided by (1 + d)^i."""
    return sum((by_year[year] - by_year[year - 1]) / (1 + discount_rate) ** year
               for year in range(1, len(by_year)))


def margin_per_purchase(params: SpendParameters, x: np.ndarray, mean_margin: np.ndarray) -> np.ndarray:
    """Gamma-Gamma conditional mean: p (v + x m) / (p x + q - 1); p v / (q - 1) without repeat purchases."""
    own_total = np.where(x > 0, x * np.nan_to_num(mean_margin), 0.0)
    return params.p * (params.v + own_total) / (params.p * x + params.q - 1)


def parameters_of(fit: pd.DataFrame, origin_index: int, model_name: str) -> dict[str, float] | None:
    rows = fit[(fit["origin_index"] == origin_index) & (fit["model_name"] == model_name)]
    return dict(zip(rows["parameter_name"], rows["parameter_value"])) if len(rows) else None


def score_origin(customers: pd.DataFrame, purchase_params: PurchaseParameters, model_name: str,
                 spend_params: SpendParameters | None, horizon_years: int, discount_rate: float) -> pd.DataFrame:
    """One origin's customers scored by one purchase model (and the spend model, if fitted)."""
    if horizon_years < 0:
        raise ValueError(f"var ltv_horizon_years must be 0 or more years, got {horizon_years}")
    history = History(x=customers["repeat_purchases"].to_numpy(dtype=float),
                      t_x=customers["days_first_to_last_purchase"].to_numpy(dtype=float) / DAYS_PER_WEEK,
                      big_t=customers["days_since_first_purchase"].to_numpy(dtype=float) / DAYS_PER_WEEK)
    holdout_weeks = customers["holdout_days"].iloc[0] / DAYS_PER_WEEK
    is_scoring = bool(customers["is_scoring_origin"].iloc[0])
    scores = customers[["origin_index", "origin_date", "is_scoring_origin", "customer_key"]].copy()
    # A date, not pandas' timestamp: DuckDB stores Arrow's date32 as DATE (Python date objects,
    # the other way, cost about 40 bytes a row).
    scores["origin_date"] = pd.to_datetime(scores["origin_date"]).astype("date32[pyarrow]")
    scores["model_name"] = model_name
    scores["p_alive"] = probability_alive(purchase_params, history, model_name)
    scores["expected_holdout_purchases"] = (
        np.nan if is_scoring else expected_purchases(purchase_params, history, model_name, holdout_weeks))
    # Each year's hypergeometric series over every customer is most of this model's time: computed
    # once, and the next year's and the horizon's expectations read from the same list (at least
    # one year: next year's expectation is reported whatever the horizon).
    by_year = purchases_by_year(purchase_params, history, model_name, max(horizon_years, 1))
    scores["expected_purchases_next_year"] = by_year[1]
    scores["expected_purchases_horizon"] = by_year[horizon_years]
    scores["discounted_expected_purchases"] = discounted_purchases(by_year[:horizon_years + 1], discount_rate)
    scores["expected_margin_per_purchase"] = (
        np.nan if spend_params is None
        else margin_per_purchase(spend_params, history.x, customers["mean_repeat_margin"].to_numpy(dtype=float)))
    return scores


def model(dbt, session) -> pd.DataFrame:
    horizon_years = int(dbt.config.get("ltv_horizon_years"))
    discount_rate = float(dbt.config.get("ltv_discount_rate"))
    fit = dbt.ref("int_predictive__btyd_fit").df()
    columns = ("origin_index, origin_date, is_scoring_origin, customer_key, repeat_purchases, "
               "days_first_to_last_purchase, days_since_first_purchase, mean_repeat_margin, holdout_days")
    summary = dbt.ref("int_predictive__btyd_summary").filter("is_scoring_origin or is_in_fit_sample")
    frames = []
    for (origin_index, model_name), _ in fit[fit["model_name"] != SPEND_MODEL].groupby(
            ["origin_index", "model_name"], sort=True):
        customers = summary.filter(f"origin_index = {int(origin_index)}").project(columns).df()
        customers = customers.sort_values("customer_key", kind="stable").reset_index(drop=True)
        spend = parameters_of(fit, int(origin_index), SPEND_MODEL)
        frames.append(score_origin(customers, PurchaseParameters(**parameters_of(fit, int(origin_index), model_name)),
                                   model_name, SpendParameters(**spend) if spend else None,
                                   horizon_years, discount_rate))
    return pd.concat(frames, ignore_index=True) if frames else empty_scores()


def empty_scores() -> pd.DataFrame:
    """No fit at any origin (too few customers): an empty table with this model's columns."""
    return pd.DataFrame({
        "origin_index": pd.Series(dtype="int64"), "origin_date": pd.Series(dtype="object"),
        "is_scoring_origin": pd.Series(dtype="bool"), "customer_key": pd.Series(dtype="str"),
        "model_name": pd.Series(dtype="str"),
        **{name: pd.Series(dtype="float64") for name in (
            "p_alive", "expected_holdout_purchases", "expected_purchases_next_year",
            "expected_purchases_horizon", "discounted_expected_purchases", "expected_margin_per_purchase")},
    })
