"""Behaviour clusters: k-means on standardised behaviour features of every buyer at as_of_date.

Features: the as_of_date rows of int_customers__features_by_date (the predictive models' one
feature table, as-of-correct), transformed so that no long tail dominates the distances:

    recency     log(1 + days since the last purchase)
    frequency   log(1 + purchases to date)
    basket      log(1 + revenue per purchase), revenue to date / purchases
    tenure      days since the first purchase
    gap         log(1 + mean days between purchases); a one-time buyer has no gap yet and counts
                as the median repeat buyer, so the gap neither sets them apart nor pulls them together
    online      share of purchases made online
    breadth     log(1 + categories bought)
    discount    share of revenue bought on discount
    tickets     log(1 + service tickets in the recent window)

Each is standardised (mean 0, standard deviation 1 over the fit sample). k-means (scikit-learn,
random_state var propensity_random_state, 10 starts) is fitted for every k from var cluster_min_k
to var cluster_max_k, and the k with the best mean silhouette (on at most var
cluster_silhouette_sample_rows customers) is kept; ties go to the smaller k. The fit sample is the
first var cluster_max_fit_customers customers in key order (the key is a hash: a sample unrelated
to behaviour); every buyer is then assigned to the nearest centre. Clusters are numbered by mean
revenue to date, highest first, so the numbers do not depend on k-means' arbitrary labels.

Reads, through its YAML config: var('propensity_random_state'), var('cluster_max_fit_customers'),
var('cluster_min_k'), var('cluster_max_k'), var('cluster_silhouette_sample_rows').
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
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

FEATURES = ("recency", "frequency", "basket", "tenure", "gap", "online", "breadth", "discount", "tickets")
STARTS = 10


@dataclass(frozen=True)
class ClusterSettings:
    min_k: int
    max_k: int
    random_state: int
    max_fit_rows: int
    silhouette_rows: int


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray
    distances: np.ndarray
    k: int
    silhouette: float


def behaviour_features(customers: pd.DataFrame) -> pd.DataFrame:
    """The transformed features, one column per name in FEATURES."""
    purchases = customers["purchases_to_date"].astype(float)
    since_first = customers["days_since_first_purchase"].astype(float)
    basket = (customers["revenue_to_date"].astype(float) / purchases).clip(lower=0)
    gap = customers["mean_days_between_purchases"].astype(float)
    gap = gap.fillna(gap.median() if gap.notna().any() else 0.0)
    return pd.DataFrame({
        "recency": np.log1p(customers["days_since_last_purchase"].astype(float)),
        "frequency": np.log1p(purchases),
        "basket": np.log1p(basket),
        "tenure": since_first,
        "gap": np.log1p(gap),
        "online": customers["online_purchase_share"].astype(float).fillna(0.0),
        "breadth": np.log1p(customers["categories_bought"].astype(float)),
        "discount": customers["discounted_revenue_share"].astype(float).fillna(0.0),
        "tickets": np.log1p(customers["recent_tickets"].astype(float)),
    }, index=customers.index)


def standardise(features: pd.DataFrame, fit_rows: int) -> pd.DataFrame:
    """z-scores with the mean and standard deviation of the first fit_rows rows (a constant feature: 0)."""
    sample = features.iloc[:fit_rows]
    spread = sample.std(ddof=0).replace(0.0, 1.0)
    return (features - sample.mean()) / spread


def choose_clustering(z: np.ndarray, settings: ClusterSettings) -> Clustering:
    """k-means for each k in [min_k, max_k] on the first max_fit_rows rows; the best silhouette wins."""
    if settings.min_k < 2 or settings.max_k < settings.min_k:
        raise ValueError(f"cluster_min_k ({settings.min_k}) must be >= 2 and <= cluster_max_k ({settings.max_k})")
    sample = z[:settings.max_fit_rows]
    best: tuple[float, KMeans] | None = None
    # One thread: on a small machine OpenMP's threads contend with DuckDB's and slow k-means tenfold.
    with threadpool_limits(limits=1):
        for k in range(settings.min_k, min(settings.max_k, len(sample) - 1) + 1):
            fitted = KMeans(n_clusters=k, n_init=STARTS, random_state=settings.random_state).fit(sample)
            score = float(silhouette_score(sample, fitted.labels_, random_state=settings.random_state,
                                           sample_size=min(settings.silhouette_rows, len(sample))))
            if best is None or score > best[0]:
                best = (score, fitted)
        if best is None:
            raise ValueError(f"too few buyers ({len(sample)}) for {settings.min_k} clusters")
        score, fitted = best
        labels = fitted.predict(z)
    distances = np.linalg.norm(z - fitted.cluster_centers_[labels], axis=1)
    return Clustering(labels=labels, distances=distances, k=fitted.n_clusters, silhouette=score)


def number_by_revenue(labels: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """Cluster numbers 1..k by mean revenue to date, highest first (ties: the lower k-means label)."""
    frame = pd.DataFrame({"label": labels, "revenue": revenue})
    means = frame.groupby("label")["revenue"].mean().reset_index()
    order = means.sort_values(["revenue", "label"], ascending=[False, True], kind="stable")["label"].to_numpy()
    numbers = {int(label): rank + 1 for rank, label in enumerate(order)}
    return np.array([numbers[int(label)] for label in labels], dtype="int64")


def cluster_customers(customers: pd.DataFrame, settings: ClusterSettings) -> pd.DataFrame:
    """One row per customer: cluster number, distance to its centre and the standardised features."""
    customers = customers.sort_values("customer_key", kind="stable").reset_index(drop=True)
    z = standardise(behaviour_features(customers), settings.max_fit_rows)
    clustering = choose_clustering(z.to_numpy(), settings)
    result = pd.DataFrame({
        "customer_key": customers["customer_key"],
        "cluster_number": number_by_revenue(clustering.labels, customers["revenue_to_date"].to_numpy(dtype=float)),
        "distance_to_centre": clustering.distances,
        "cluster_count": clustering.k,
        "silhouette": clustering.silhouette,
    })
    for name in FEATURES:
        result[f"z_{name}"] = z[name].to_numpy()
    return result


def model(dbt, session) -> pd.DataFrame:
    settings = ClusterSettings(
        min_k=int(dbt.config.get("cluster_min_k")), max_k=int(dbt.config.get("cluster_max_k")),
        random_state=int(dbt.config.get("propensity_random_state")),
        max_fit_rows=int(dbt.config.get("cluster_max_fit_customers")),
        silhouette_rows=int(dbt.config.get("cluster_silhouette_sample_rows")))
    columns = ("customer_key, days_since_last_purchase, purchases_to_date, revenue_to_date, days_since_first_purchase, "
               "mean_days_between_purchases, online_purchase_share, categories_bought, discounted_revenue_share, "
               "recent_tickets")
    as_of = dbt.ref("int_calendar__as_of_date").df()["as_of_date"].iloc[0]
    customers = (dbt.ref("int_customers__features_by_date")
                 .filter(f"is_buyer and evaluation_date = DATE '{pd.Timestamp(as_of).date().isoformat()}'")
                 .project(columns).df())
    return cluster_customers(customers, settings)
