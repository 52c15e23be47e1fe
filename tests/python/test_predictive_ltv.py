"""Probabilistic lifetime value (BG/NBD, MBG/NBD, Gamma-Gamma) and behaviour clusters.

The model code lives in the dbt Python models; it is imported here from their files. The strongest
checks simulate customers from each model's own story with numpy (fixed seeds) and ask the fit to
find the parameters that made them, and the predictions to match what the simulated customers did
next. The rest check the built warehouse: P(alive) is a probability, BG/NBD's P(alive) is 1 without
a repeat purchase, the clusters partition the buyers, the reports add up, and a rebuild is identical.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import integrate, optimize, stats

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models" / "intermediate" / "predictive"
WEEKS_PER_YEAR = 365 / 7


def load_model(name: str) -> ModuleType:
    """A dbt Python model's file as a module (its functions need no dbt)."""
    spec = importlib.util.spec_from_file_location(f"predictive_{name}", MODELS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fit = load_model("int_predictive__btyd_fit")
scores = load_model("int_predictive__btyd_scores")
clusters = load_model("int_predictive__clusters")


def simulate_purchases(n: int, r: float, alpha: float, a: float, b: float, model_name: str, seed: int,
                       holdout_weeks: float = 52.0) -> pd.DataFrame:
    """Customers from the model's story: rate ~ Gamma(r, alpha), drop-out p ~ Beta(a, b) after each
    repeat purchase (and, for mbg_nbd, right after the first); observed for T weeks, then a holdout."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(shape=r, scale=1 / alpha, size=n)
    dropouts = rng.beta(a, b, size=n)
    ages = rng.uniform(10, 150, size=n)
    rows = []
    for rate, dropout, age in zip(rates, dropouts, ages):
        alive = model_name == "bg_nbd" or rng.random() >= dropout
        time, times = 0.0, []
        while alive:
            time += rng.exponential(1 / rate)
            if time > age + holdout_weeks:
                break
            times.append(time)
            alive = rng.random() >= dropout
        calibration = [t for t in times if t <= age]
        rows.append({"x": len(calibration), "t_x": calibration[-1] if calibration else 0.0, "big_t": age,
                     "holdout": len(times) - len(calibration)})
    return pd.DataFrame(rows)


def history_of(frame: pd.DataFrame) -> tuple[object, object]:
    """The same customers as the fit's and the scores' History records."""
    arrays = {name: frame[name].to_numpy(dtype=float) for name in ("x", "t_x", "big_t")}
    return fit.History(**arrays), scores.History(**arrays)


@pytest.mark.parametrize("model_name, truth", [
    ("bg_nbd", {"r": 0.7, "alpha": 12.0, "a": 0.8, "b": 3.0}),
    ("mbg_nbd", {"r": 0.7, "alpha": 12.0, "a": 0.8, "b": 3.0}),
])
def test_purchase_fit_recovers_the_parameters_it_was_simulated_with(model_name: str, truth: dict) -> None:
    customers = simulate_purchases(6000, **truth, model_name=model_name, seed=11)
    fit_history, _ = history_of(customers)
    result = fit.fit_purchase_model(fit_history, model_name)
    assert result.is_converged
    for name, true_value in truth.items():
        assert result.parameters[name] == pytest.approx(true_value, rel=0.25), (name, result.parameters)
    # The maximum beats the truth's own likelihood (it is a maximum), but not by much.
    at_truth = float(np.sum(fit.purchase_log_likelihood(fit.PurchaseParameters(**truth), fit_history, model_name)))
    assert at_truth - 10 < result.log_likelihood
    assert result.log_likelihood >= at_truth


def test_a_flat_optimum_counts_as_converged_and_a_steep_stop_does_not() -> None:
    """A line search that cannot improve a flat likelihood is at its optimum; running out of steps on a slope is not."""
    flat = optimize.OptimizeResult(success=False, fun=6045.2, jac=np.array([1.2e-4, 0.0, 3e-5, 1e-5]))
    steep = optimize.OptimizeResult(success=False, fun=6045.2, jac=np.array([0.5, 0.0, 0.0, 0.0]))
    infinite = optimize.OptimizeResult(success=True, fun=np.inf, jac=np.zeros(4))
    assert fit.is_converged(flat) and not fit.is_converged(steep) and not fit.is_converged(infinite)


@pytest.mark.parametrize("model_name", ["bg_nbd", "mbg_nbd"])
def test_the_likelihood_gradient_is_exact_and_the_fit_repeats(model_name: str) -> None:
    """The optimiser trusts the analytic gradient: it must match finite differences (b < 1 included)."""
    rng = np.random.default_rng(2)
    x = rng.integers(0, 8, 400).astype(float)
    big_t = rng.uniform(1, 150, 400)
    history = fit.History(x, np.where(x > 0, big_t * rng.uniform(0, 1, 400), 0.0), big_t)
    for values in ([0.6, 20.0, 0.4, 0.7], [1.2, 5.0, 2.0, 6.0]):
        analytic = fit.purchase_log_likelihood_gradient(fit.PurchaseParameters(*values), history, model_name)
        numeric = optimize.approx_fprime(
            np.array(values), lambda v: np.sum(fit.purchase_log_likelihood(fit.PurchaseParameters(*v), history,
                                                                           model_name)), 1e-6)
        assert np.allclose(analytic, numeric, rtol=1e-4, atol=1e-3), (analytic, numeric)
    assert fit.fit_purchase_model(history, model_name) == fit.fit_purchase_model(history, model_name)


@pytest.mark.parametrize("model_name", ["bg_nbd", "mbg_nbd"])
def test_expected_holdout_purchases_match_what_simulated_customers_bought(model_name: str) -> None:
    """The conditional expectation (hypergeometric closed form) with the true parameters predicts the
    simulated holdout, in total and by number of calibration purchases; a < 1 on purpose."""
    truth = {"r": 0.6, "alpha": 10.0, "a": 0.6, "b": 4.0}
    customers = simulate_purchases(20000, **truth, model_name=model_name, seed=5)
    _, history = history_of(customers)
    expected = scores.expected_purchases(scores.PurchaseParameters(**truth), history, model_name, 52.0)
    assert expected.sum() == pytest.approx(customers["holdout"].sum(), rel=0.04)
    by_x = customers.assign(expected=expected).groupby(customers["x"].clip(upper=4))[["expected", "holdout"]].sum()
    assert np.allclose(by_x["expected"], by_x["holdout"], rtol=0.12), by_x


def test_gamma_gamma_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(7)
    p, q, v = 6.0, 4.0, 15.0
    scales = rng.gamma(shape=q, scale=1 / v, size=5000)
    purchases = rng.integers(1, 12, size=5000)
    means = np.array([rng.gamma(shape=p, scale=1 / nu, size=count).mean() for nu, count in zip(scales, purchases)])
    result = fit.fit_spend_model(purchases, means)
    assert result.is_converged
    assert result.parameters["p"] == pytest.approx(p, rel=0.2)
    assert result.parameters["q"] == pytest.approx(q, rel=0.2)
    assert result.parameters["v"] == pytest.approx(v, rel=0.25)
    # The conditional mean lies between the customer's own mean and the population mean.
    own = np.array([10.0, 100.0])
    shrunk = scores.margin_per_purchase(scores.SpendParameters(**result.parameters), np.array([3.0, 3.0]), own)
    population = result.parameters["p"] * result.parameters["v"] / (result.parameters["q"] - 1)
    assert np.all((shrunk - own) * (shrunk - population) <= 0)


def test_gamma_gamma_refuses_non_positive_values() -> None:
    with pytest.raises(ValueError, match="positive mean value"):
        fit.fit_spend_model(np.array([1.0, 2.0]), np.array([5.0, -1.0]))


def alive_purchases_integrand(p: float, shape: float, rate: float, a: float, b: float, weeks: float) -> float:
    """Purchases in `weeks` of an alive customer with drop-out p, averaged over rate ~ Gamma(shape, rate),
    weighted by the Beta(a, b) density of p: (1 - E[exp(-lambda p weeks)]) / p."""
    return (1 - (rate / (rate + p * weeks)) ** shape) / p * stats.beta.pdf(p, a, b)


@pytest.mark.parametrize("model_name", ["bg_nbd", "mbg_nbd"])
def test_closed_forms_agree_with_the_likelihood_and_a_numerical_integral(model_name: str) -> None:
    params = {"r": 0.6, "alpha": 20.0, "a": 0.4, "b": 6.0}
    customers = pd.DataFrame({"x": [0, 1, 3, 10, 2], "t_x": [0, 5, 40, 100, 90], "big_t": [30, 60, 50, 104, 200]})
    fit_history, history = history_of(customers)
    p_alive = scores.probability_alive(scores.PurchaseParameters(**params), history, model_name)
    # P(alive) is the alive term's share of the likelihood.
    _, log_alive, log_dropped = fit.purchase_likelihood_terms(fit.PurchaseParameters(**params), fit_history,
                                                              model_name)
    assert np.allclose(p_alive, np.exp(log_alive - np.logaddexp(log_alive, log_dropped)))
    # An alive customer with rate Gamma(r', alpha') buys (1 - E[exp(-lambda p t)]) / p, averaged over p.
    weeks = 3 * WEEKS_PER_YEAR
    expected = scores.expected_purchases(scores.PurchaseParameters(**params), history, model_name, weeks)
    for row, closed_form, alive in zip(customers.itertuples(), expected, p_alive):
        shape, rate = params["r"] + row.x, params["alpha"] + row.big_t
        b_posterior = params["b"] + row.x + (1 if model_name == "mbg_nbd" else 0)

        numerical, _ = integrate.quad(alive_purchases_integrand, 0, 1, limit=200,
                                      args=(shape, rate, params["a"], b_posterior, weeks))
        assert closed_form == pytest.approx(alive * numerical, rel=1e-5)


def test_p_alive_is_a_probability_and_bg_nbd_keeps_one_time_buyers_alive() -> None:
    params = scores.PurchaseParameters(r=0.6, alpha=20.0, a=0.4, b=0.7)
    customers = pd.DataFrame({"x": [0, 0, 1, 5, 30], "t_x": [0, 0, 1, 50, 60], "big_t": [0, 500, 300, 60, 400]})
    _, history = history_of(customers)
    bg = scores.probability_alive(params, history, "bg_nbd")
    mbg = scores.probability_alive(params, history, "mbg_nbd")
    assert np.all((bg >= 0) & (bg <= 1)) and np.all((mbg >= 0) & (mbg <= 1))
    assert np.all(bg[:2] == 1.0)
    assert mbg[1] < mbg[0] < 1  # MBG/NBD: a long silence after the first purchase lowers P(alive)
    assert bg[4] < bg[3]  # a frequent buyer gone quiet for long is less likely alive


def test_discounting_counts_each_year_once() -> None:
    params = scores.PurchaseParameters(r=0.6, alpha=20.0, a=0.6, b=5.0)
    _, history = history_of(pd.DataFrame({"x": [0, 4], "t_x": [0, 80], "big_t": [50, 100]}))
    horizon = scores.expected_purchases(params, history, "mbg_nbd", 10 * WEEKS_PER_YEAR)
    by_year = scores.purchases_by_year(params, history, "mbg_nbd", 10)
    assert len(by_year) == 11 and np.all(by_year[0] == 0) and np.allclose(by_year[10], horizon)
    assert np.allclose(by_year[1], scores.expected_purchases(params, history, "mbg_nbd", WEEKS_PER_YEAR))
    assert np.allclose(scores.discounted_purchases(by_year, 0.0), horizon)
    discounted = scores.discounted_purchases(by_year, 0.08)
    assert np.all(discounted < horizon) and np.all(discounted > horizon / 1.08 ** 10)


def test_a_negative_horizon_is_refused() -> None:
    params = scores.PurchaseParameters(r=0.6, alpha=20.0, a=0.6, b=5.0)
    with pytest.raises(ValueError, match="ltv_horizon_years must be 0 or more years, got -1"):
        scores.score_origin(pd.DataFrame(), params, "mbg_nbd", None, -1, 0.08)


def test_clusters_are_deterministic_and_numbered_by_revenue() -> None:
    rng = np.random.default_rng(3)
    n = 600
    customers = pd.DataFrame({
        "customer_key": [f"k{i:04d}" for i in range(n)],
        "days_since_last_purchase": rng.integers(0, 1000, n), "purchases_to_date": rng.integers(1, 20, n),
        "revenue_to_date": rng.gamma(2, 300, n), "days_since_first_purchase": rng.integers(0, 1400, n),
        "mean_days_between_purchases": np.where(rng.random(n) < 0.4, np.nan, rng.uniform(5, 400, n)),
        "online_purchase_share": rng.random(n), "categories_bought": rng.integers(1, 12, n),
        "discounted_revenue_share": rng.random(n), "recent_tickets": rng.poisson(0.1, n),
    })
    settings = clusters.ClusterSettings(min_k=3, max_k=5, random_state=42, max_fit_rows=400, silhouette_rows=300)
    first = clusters.cluster_customers(customers, settings)
    again = clusters.cluster_customers(customers.sample(frac=1, random_state=1), settings)
    pd.testing.assert_frame_equal(first, again)
    k = int(first["cluster_count"].iloc[0])
    assert 3 <= k <= 5 and set(first["cluster_number"]) == set(range(1, k + 1))
    revenue = customers.set_index("customer_key")["revenue_to_date"]
    means = first.assign(revenue=first["customer_key"].map(revenue)).groupby("cluster_number")["revenue"].mean()
    assert means.is_monotonic_decreasing


def project_vars() -> dict:
    return yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]


def test_the_built_clusters_are_what_the_code_gives(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Rebuilding from the same features (and the default vars) gives the same clusters: deterministic."""
    built = warehouse.execute("select * from intermediate.int_predictive__clusters").df()
    features = warehouse.execute("""
        select features.* from intermediate.int_customers__features_by_date as features
        inner join intermediate.int_calendar__as_of_date as as_of on features.evaluation_date = as_of.as_of_date
        where features.is_buyer""").df()
    settings_vars = project_vars()
    settings = clusters.ClusterSettings(
        min_k=settings_vars["cluster_min_k"], max_k=settings_vars["cluster_max_k"],
        random_state=settings_vars["propensity_random_state"], max_fit_rows=settings_vars["cluster_max_fit_customers"],
        silhouette_rows=settings_vars["cluster_silhouette_sample_rows"])
    rebuilt = clusters.cluster_customers(features, settings)
    merged = built.merge(rebuilt, on="customer_key", suffixes=("_built", "_rebuilt"))
    assert len(merged) == len(built) == len(rebuilt)
    assert (merged["cluster_number_built"] == merged["cluster_number_rebuilt"]).all()
    assert np.allclose(merged["distance_to_centre_built"], merged["distance_to_centre_rebuilt"])


def test_clusters_partition_the_buyers_and_the_reports_add_up(warehouse: duckdb.DuckDBPyConnection) -> None:
    buyers = warehouse.execute("select count(*) from marts.fct_customer_rfm").fetchone()[0]
    per_customer = warehouse.execute("""
        select count(*), count(distinct customer_key), count(cluster_number)
        from marts.fct_customer_clusters""").fetchone()
    assert per_customer == (buyers, buyers, buyers)
    profiles = warehouse.execute("""
        select count(*), sum(customers), sum(customer_share), sum(revenue_share),
               min(cluster_count), max(cluster_count), min(cluster_number), max(cluster_number)
        from marts.rpt_cluster_profiles""").fetchone()
    clusters_found, customers, customer_share, revenue_share, k_min, k_max, first, last = profiles
    assert customers == buyers and k_min == k_max == clusters_found and (first, last) == (1, clusters_found)
    assert customer_share == pytest.approx(1) and revenue_share == pytest.approx(1)
    mismatched = warehouse.execute("""
        select profiles.cluster_number
        from marts.rpt_cluster_profiles as profiles
        inner join (
            select cluster_number, sum(customers) as customers, sum(share_of_cluster) as share
            from marts.rpt_cluster_rfm_crosstab group by cluster_number
        ) as crosstab on profiles.cluster_number = crosstab.cluster_number
        where crosstab.customers != profiles.customers or abs(crosstab.share - 1) > 1e-9""").fetchall()
    assert not mismatched


def test_p_alive_in_the_warehouse(warehouse: duckdb.DuckDBPyConnection) -> None:
    bounds = warehouse.execute("""
        select min(p_alive), max(p_alive), count(*) from marts.fct_customer_lifetime_value_probabilistic""").fetchone()
    assert 0 <= bounds[0] <= bounds[1] <= 1 and bounds[2] > 0
    one_time_bg = warehouse.execute("""
        select min(scores.p_alive), max(scores.p_alive)
        from intermediate.int_predictive__btyd_scores as scores
        inner join intermediate.int_predictive__btyd_summary as summary
            on scores.origin_index = summary.origin_index and scores.customer_key = summary.customer_key
        where scores.model_name = 'bg_nbd' and summary.repeat_purchases = 0""").fetchone()
    assert one_time_bg == (1.0, 1.0)


def test_the_models_beat_the_naive_benchmark_out_of_time(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Per customer, the buy-till-you-die forecasts of the holdout are closer than 'keep your past rate'."""
    errors = warehouse.execute("""
        select model_name, avg(measure_value), count(*)
        from marts.fct_btyd_model_fit
        where measure_name = 'purchases_mean_absolute_error'
        group by model_name""").fetchall()
    by_model = {name: (error, cuts) for name, error, cuts in errors}
    assert set(by_model) == {"bg_nbd", "mbg_nbd", "naive_rate"}
    assert by_model["mbg_nbd"][1] == project_vars()["propensity_backtest_origins"]
    assert by_model["mbg_nbd"][0] < by_model["naive_rate"][0]
    assert by_model["bg_nbd"][0] < by_model["naive_rate"][0]
