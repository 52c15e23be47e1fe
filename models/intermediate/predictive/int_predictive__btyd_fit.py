"""Buy-till-you-die fit: maximum-likelihood parameters of the purchase-count and spend models.

At each origin of int_predictive__btyd_summary (as_of_date and the back-test origins) three models
are fitted on the customers of the fit sample:

- bg_nbd: BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way"): while
  alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha) and after each repeat purchase
  drops out with probability p ~ Beta(a, b).
- mbg_nbd: modified BG/NBD (Batislam, Denizel and Filiztekin 2007): the same, except that the
  customer may also drop out right after the first purchase, so a one-time buyer is not taken
  for alive for ever.
- gamma_gamma: the spend model (Fader, Hardie and Lee 2005, "RFM and CLV"; Fader and Hardie
  2013, "The Gamma-Gamma model of monetary value"): a customer's purchase values are
  Gamma(p, nu) with nu ~ Gamma(q, v) across customers; here the value is the gross margin of a
  repeat purchase, fitted on the customers with a repeat purchase and a positive mean margin.

Time is in weeks (days / 7). The likelihoods are written out here from the papers, and maximised
with scipy (L-BFGS-B on the logarithms of the parameters, so they stay positive; q - 1 for
Gamma-Gamma, so the mean margin per purchase p v / (q - 1) stays finite). Inputs are sorted by
customer key first: the fit is the same on every run.

Reads, through its YAML config: var('propensity_min_training_rows').
"""

# dbt builds two models at a time, each in its own thread. Two Python models importing
# scikit-learn or SciPy at the same moment can meet in a cycle of Python's module locks and
# get a half-initialised module ("cannot import name 'clone' from partially initialized
# module 'sklearn.base'"). One lock, shared by the project's Python models through the
# builtins module (every model's code runs in the same process), takes the imports in turn.
import builtins
import threading

with builtins.__dict__.setdefault("crm_warehouse_import_lock", threading.Lock()):
    from dataclasses import dataclass, field

    import numpy as np
    import pandas as pd
    from scipy import optimize, special

DAYS_PER_WEEK = 7.0
PURCHASE_MODELS = ("bg_nbd", "mbg_nbd")
SPEND_MODEL = "gamma_gamma"
LOG_BOUNDS = (-12.0, 12.0)
# L-BFGS-B stops with "ABNORMAL_TERMINATION_IN_LNSRCH" where the likelihood is flat along a ridge
# (e.g. BG/NBD's a and b rising together on a small sample): no step improves it in floating point.
# Such a stop is an optimum when the gradient (per log-parameter) is this small beside the
# likelihood itself; a stop elsewhere (iterations used up, a steep gradient) is not converged.
CONVERGED_RELATIVE_GRADIENT = 1e-6


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
    """Customers' summaries: x repeat purchases, the last at t_x after the first, observed for T.

    The log-gamma terms depend on x alone, which takes few values: they are computed once per
    distinct x (`counts`) and spread back by `inverse`, which makes a likelihood ten times cheaper.
    """
    x: np.ndarray
    t_x: np.ndarray
    big_t: np.ndarray
    counts: np.ndarray = field(init=False)
    inverse: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        counts, inverse = np.unique(np.asarray(self.x, dtype=float), return_inverse=True)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "inverse", inverse)


@dataclass(frozen=True)
class FitResult:
    model_name: str
    parameters: dict[str, float]
    log_likelihood: float
    fitted_customers: int
    is_converged: bool


def purchase_likelihood_terms(
    params: PurchaseParameters, history: History, model_name: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log of the three factors of one customer's likelihood L = A1 (A_alive + A_dropped).

    A1 = Gamma(r + x) alpha^r / Gamma(r); A_alive: still alive at T after x repeat purchases;
    A_dropped: dropped out right after the last purchase (at t_x). BG/NBD has no A_dropped for x = 0.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    n = history.counts
    log_rate_t = (r + history.x) * np.log(alpha + history.big_t)
    log_rate_t_x = (r + history.x) * np.log(alpha + history.t_x)
    log_a1 = special.gammaln(r + n) - special.gammaln(r) + r * np.log(alpha)
    if model_name == "bg_nbd":
        log_alive = special.betaln(a, b + n) - special.betaln(a, b)
        # betaln(a + 1, b - 1) is undefined for b < 1: evaluate at x = 1 where x = 0, then drop it.
        log_dropped = np.where(n > 0, special.betaln(a + 1, b + np.maximum(n, 1) - 1) - special.betaln(a, b), -np.inf)
    elif model_name == "mbg_nbd":
        log_alive = special.betaln(a, b + n + 1) - special.betaln(a, b)
        log_dropped = special.betaln(a + 1, b + n) - special.betaln(a, b)
    else:
        raise ValueError(f"unknown purchase model {model_name!r}: expected one of {PURCHASE_MODELS}")
    spread = history.inverse
    return log_a1[spread], log_alive[spread] - log_rate_t, log_dropped[spread] - log_rate_t_x


def purchase_log_likelihood(params: PurchaseParameters, history: History, model_name: str) -> np.ndarray:
    """Each customer's log-likelihood of x repeat purchases, the last at t_x, observed for T."""
    log_a1, log_alive, log_dropped = purchase_likelihood_terms(params, history, model_name)
    return log_a1 + np.logaddexp(log_alive, log_dropped)


def purchase_log_likelihood_gradient(params: PurchaseParameters, history: History, model_name: str) -> np.ndarray:
    """Derivatives of the summed log-likelihood by (r, alpha, a, b), from the same three factors:
    with w the alive term's share of each customer's likelihood (and 1 - w the dropped term's),
    each factor's derivative weighted by its share. Lets the optimiser take a few exact steps."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, n, spread = history.x, history.counts, history.inverse
    _, log_alive, log_dropped = purchase_likelihood_terms(params, history, model_name)
    alive = np.exp(log_alive - np.logaddexp(log_alive, log_dropped))
    dropped = 1 - alive
    shift = 1.0 if model_name == "mbg_nbd" else 0.0
    psi = special.digamma
    # Per distinct count: the digamma terms of B(a, b + x + shift) and B(a + 1, b + x + shift - 1).
    psi_total = psi(a + b + n + shift)[spread]
    psi_b_alive = psi(b + n + shift)[spread]
    psi_b_dropped = psi(b + np.maximum(n + shift, 1) - 1)[spread]
    by_r = psi(r + n)[spread] - psi(r) + np.log(alpha) \
        - alive * np.log(alpha + history.big_t) - dropped * np.log(alpha + history.t_x)
    by_alpha = r / alpha - (r + x) * (alive / (alpha + history.big_t) + dropped / (alpha + history.t_x))
    by_a = alive * (psi(a) - psi_total) + dropped * (psi(a + 1) - psi_total) - psi(a) + psi(a + b)
    by_b = alive * (psi_b_alive - psi_total) + dropped * (psi_b_dropped - psi_total) - psi(b) + psi(a + b)
    return np.array([np.sum(by_r), np.sum(by_alpha), np.sum(by_a), np.sum(by_b)])


def spend_log_likelihood(params: SpendParameters, x: np.ndarray, mean_value: np.ndarray) -> np.ndarray:
    """Each customer's Gamma-Gamma log-likelihood of mean value m over x purchases (x >= 1, m > 0)."""
    p, q, v = params.p, params.q, params.v
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(v)
            + px * np.log(x) + (px - 1) * np.log(mean_value) - (px + q) * np.log(x * mean_value + v))


def maximise(negative_log_likelihood, start: np.ndarray, with_gradient: bool = False) -> optimize.OptimizeResult:
    """L-BFGS-B on log-parameters within LOG_BOUNDS (deterministic for the same input); with_gradient:
    the function returns (value, gradient)."""
    bounds = [LOG_BOUNDS] * len(start)
    return optimize.minimize(negative_log_likelihood, start, method="L-BFGS-B", bounds=bounds, jac=with_gradient,
                             options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-8})


def is_converged(result: optimize.OptimizeResult) -> bool:
    """The optimiser converged, or stopped at a flat optimum (CONVERGED_RELATIVE_GRADIENT), with a finite likelihood."""
    if not np.isfinite(result.fun):
        return False
    flat = float(np.max(np.abs(result.jac))) <= CONVERGED_RELATIVE_GRADIENT * max(1.0, abs(float(result.fun)))
    return bool(result.success) or flat


def fit_purchase_model(history: History, model_name: str) -> FitResult:
    """Maximum-likelihood (r, alpha, a, b) of BG/NBD or MBG/NBD; times in any one unit."""

    def negative(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        values = np.exp(log_params)
        params = PurchaseParameters(*values)
        log_likelihood = float(np.sum(purchase_log_likelihood(params, history, model_name)))
        # d/d log(theta) = theta x d/d theta.
        return -log_likelihood, -values * purchase_log_likelihood_gradient(params, history, model_name)

    # Start from rate 1 / (mean age) and unit shapes: a scale-free start for any time unit.
    start = np.array([0.0, np.log(max(float(np.mean(history.big_t)), 1e-3)), 0.0, 0.0])
    result = maximise(negative, start, with_gradient=True)
    params = PurchaseParameters(*np.exp(result.x))
    return FitResult(model_name, vars(params), -float(result.fun), len(history.x), is_converged(result))


def fit_spend_model(x: np.ndarray, mean_value: np.ndarray) -> FitResult:
    """Maximum-likelihood (p, q, v) of Gamma-Gamma, with q > 1 (a finite mean value)."""
    x, mean_value = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    if np.any(x < 1) or np.any(mean_value <= 0):
        raise ValueError("Gamma-Gamma fits customers with at least one purchase and a positive mean value")

    def unpack(log_params: np.ndarray) -> SpendParameters:
        return SpendParameters(p=np.exp(log_params[0]), q=1 + np.exp(log_params[1]), v=np.exp(log_params[2]))

    def negative(log_params: np.ndarray) -> float:
        return -float(np.sum(spend_log_likelihood(unpack(log_params), x, mean_value)))

    start = np.array([0.0, 0.0, np.log(float(np.mean(mean_value)))])
    result = maximise(negative, start)
    return FitResult(SPEND_MODEL, vars(unpack(result.x)), -float(result.fun), len(x), is_converged(result))


def fit_origin(sample: pd.DataFrame, min_customers: int) -> list[FitResult]:
    """The three fits of one origin's fit sample; none of a model with fewer than min_customers."""
    sample = sample.sort_values("customer_key", kind="stable")
    history = History(x=sample["repeat_purchases"].to_numpy(dtype=float),
                      t_x=sample["days_first_to_last_purchase"].to_numpy(dtype=float) / DAYS_PER_WEEK,
                      big_t=sample["days_since_first_purchase"].to_numpy(dtype=float) / DAYS_PER_WEEK)
    results = []
    if len(sample) >= min_customers and np.any(history.x > 0):
        results += [fit_purchase_model(history, name) for name in PURCHASE_MODELS]
    spenders = sample[(sample["repeat_purchases"] > 0) & (sample["mean_repeat_margin"] > 0)]
    if len(spenders) >= min_customers:
        results.append(fit_spend_model(spenders["repeat_purchases"].to_numpy(dtype=float),
                                       spenders["mean_repeat_margin"].to_numpy(dtype=float)))
    return results


def fit_rows(origin_index: int, origin_date: object, results: list[FitResult]) -> list[dict[str, object]]:
    """One row per model and parameter (the grain of this model)."""
    return [
        {"origin_index": origin_index, "origin_date": origin_date, "model_name": result.model_name,
         "parameter_name": name, "parameter_value": float(value), "log_likelihood": result.log_likelihood,
         "fitted_customers": result.fitted_customers, "is_converged": result.is_converged}
        for result in results for name, value in result.parameters.items()
    ]


def model(dbt, session) -> pd.DataFrame:
    min_customers = int(dbt.config.get("propensity_min_training_rows"))
    columns = ["origin_index", "origin_date", "customer_key", "repeat_purchases", "days_first_to_last_purchase",
               "days_since_first_purchase", "mean_repeat_margin"]
    summary = dbt.ref("int_predictive__btyd_summary").filter("is_in_fit_sample").project(", ".join(columns)).df()
    rows: list[dict[str, object]] = []
    for (origin_index, origin_date), sample in summary.groupby(["origin_index", "origin_date"], sort=True):
        # A date, not pandas' timestamp: DuckDB stores datetime.date objects as DATE.
        rows += fit_rows(int(origin_index), pd.Timestamp(origin_date).date(), fit_origin(sample, min_customers))
    frame = pd.DataFrame(rows, columns=["origin_index", "origin_date", "model_name", "parameter_name",
                                        "parameter_value", "log_likelihood", "fitted_customers", "is_converged"])
    return frame.astype({"origin_index": "int64", "parameter_value": "float64", "log_likelihood": "float64",
                         "fitted_customers": "int64", "is_converged": "bool"})
