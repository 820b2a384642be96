"""Clustering: group points without labels (k-means, DBSCAN, hierarchical clustering in its
agglomerative form, Gaussian mixture).

Two data sets: the elements' property space (the classification features, standardized
and projected to two dimensions by PCA) and a 1-D sample from a known mixture of
Gaussians, fitted by expectation–maximization one step at a time. The algorithms are
scikit-learn's, imported on first use.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .classification import ElementTable, element_table
from .errors import FeaturizeError
from .settings import RANDOM_SEED

ALGORITHMS = ("k-means", "DBSCAN", "agglomerative", "Gaussian mixture")
LINKAGES = ("ward", "complete", "average", "single")
DEFAULT_CLUSTERS = 3
DEFAULT_EPS = 1.0  # in the standardized PCA plane, where the points span about ±4
DEFAULT_MIN_SAMPLES = 4
CLUSTER_SEED = RANDOM_SEED

# The 1-D mixture: (weight, mean, standard deviation) per component, in arbitrary units.
# The middle one is the likelihood demo's N(5, 1.2²), now with two neighbours.
TRUE_MIXTURE = ((0.25, 1.5, 0.6), (0.5, 5.0, 1.2), (0.25, 9.0, 0.8))
MIXTURE_SAMPLES = 300
MIXTURE_SEED = RANDOM_SEED
MIXTURE_MAX_STEPS = 200
MIXTURE_TOLERANCE = 1e-4  # stop once a step raises the log-likelihood by less than this


@dataclass(frozen=True)
class PropertyMap:
    """Points in a 2-D plane with a name each and, optionally, a known label each."""

    points: np.ndarray  # (n, 2)
    names: tuple[str, ...]
    labels: np.ndarray | None = None
    explained_variance: tuple[float, float] | None = None  # of PC1, PC2, fractions 0–1


def element_property_map(table: ElementTable | None = None, label: str = "block") -> PropertyMap:
    """The elements' FEATURES, standardized and projected onto their two principal axes.

    Missing values are filled with the median over all elements (no split here: nothing
    is being predicted). `label` ("block" or "structure") picks the known grouping that
    comes along for comparison; the clustering never sees it.
    """
    from sklearn.decomposition import PCA
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    table = element_table() if table is None else table
    if label not in ("block", "structure"):
        raise FeaturizeError(f"label must be 'block' or 'structure', not {label!r}.")
    projection = make_pipeline(
        SimpleImputer(strategy="median"), StandardScaler(), PCA(n_components=2)
    )
    points = projection.fit_transform(table.features)
    ratio = projection[-1].explained_variance_ratio_
    return PropertyMap(
        points=points,
        names=table.symbols,
        labels=table.blocks if label == "block" else table.labels,
        explained_variance=(float(ratio[0]), float(ratio[1])),
    )


def _check_points(points: np.ndarray) -> np.ndarray:
    array = np.asarray(points, dtype=float)
    if array.ndim != 2 or array.shape[0] < 2:
        raise FeaturizeError(
            f"Clustering needs an (n, d) array of n ≥ 2 points, not {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise FeaturizeError("The points contain NaN or infinity; fill or drop those first.")
    return array


def cluster_points(
    points: np.ndarray,
    algorithm: str = "k-means",
    n_clusters: int = DEFAULT_CLUSTERS,
    eps: float = DEFAULT_EPS,
    min_samples: int = DEFAULT_MIN_SAMPLES,
    linkage: str = "ward",
    seed: int = CLUSTER_SEED,
) -> np.ndarray:
    """A cluster number per point (−1: DBSCAN's noise, in no cluster).

    n_clusters is k for k-means and agglomerative clustering and the number of
    components of the Gaussian mixture; eps (same units as the points) and min_samples
    are DBSCAN's; linkage is agglomerative clustering's.
    """
    from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
    from sklearn.mixture import GaussianMixture

    array = _check_points(points)
    if algorithm not in ALGORITHMS:
        raise FeaturizeError(
            f"Unknown algorithm {algorithm!r}: choose one of {', '.join(ALGORITHMS)}."
        )
    if algorithm == "DBSCAN":
        if not eps > 0 or int(min_samples) != min_samples or min_samples < 1:
            raise FeaturizeError(
                f"DBSCAN needs eps > 0 and min_samples ≥ 1, not {eps!r}, {min_samples!r}."
            )
        return DBSCAN(eps=eps, min_samples=int(min_samples)).fit_predict(array)
    if int(n_clusters) != n_clusters or not 1 <= n_clusters <= len(array):
        raise FeaturizeError(
            f"The number of clusters must be a whole number from 1 to {len(array)}, not {n_clusters!r}."
        )
    n_clusters = int(n_clusters)
    if algorithm == "k-means":
        return KMeans(n_clusters=n_clusters, n_init=10, random_state=seed).fit_predict(array)
    if algorithm == "agglomerative":
        if linkage not in LINKAGES:
            raise FeaturizeError(
                f"Unknown linkage {linkage!r}: choose one of {', '.join(LINKAGES)}."
            )
        return AgglomerativeClustering(n_clusters=n_clusters, linkage=linkage).fit_predict(array)
    return GaussianMixture(n_components=n_clusters, random_state=seed).fit(array).predict(array)


def agreement(labels: np.ndarray, clusters: np.ndarray) -> float:
    """How well clusters match known labels: the adjusted Rand index (1 = same grouping,
    about 0 = no better than chance)."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(labels, clusters))


# -- a 1-D Gaussian mixture, fitted by EM one step at a time ---------------------------
@dataclass(frozen=True)
class MixtureStep:
    """The mixture after `step` EM iterations (0: the starting guess)."""

    step: int
    weights: np.ndarray
    means: np.ndarray
    stds: np.ndarray
    log_likelihood: float  # Σ_i log p(x_i), natural log


def mixture_sample(
    n: int = MIXTURE_SAMPLES,
    components: tuple[tuple[float, float, float], ...] = TRUE_MIXTURE,
    seed: int = MIXTURE_SEED,
) -> np.ndarray:
    """n numbers drawn from the mixture of (weight, mean, std) components, reproducibly."""
    if not isinstance(n, int) or n < 1:
        raise FeaturizeError(f"Need a whole number n ≥ 1, not {n!r}.")
    weights, means, stds = (
        np.array(column, dtype=float) for column in zip(*components, strict=True)
    )
    if np.any(weights < 0) or not np.isclose(weights.sum(), 1) or np.any(stds <= 0):
        raise FeaturizeError("Weights must be ≥ 0 and sum to 1, and every std must be > 0.")
    rng = np.random.default_rng(seed)
    which = rng.choice(len(weights), size=n, p=weights)
    return rng.normal(means[which], stds[which])


def mixture_density(
    x: np.ndarray, weights: np.ndarray, means: np.ndarray, stds: np.ndarray
) -> np.ndarray:
    """Each component's weighted density w_k N(x | μ_k, σ_k²), shape (n_components, len(x));
    their sum over components is the mixture's density."""
    from scipy import stats

    x = np.asarray(x, dtype=float)
    return np.array(
        [w * stats.norm.pdf(x, m, s) for w, m, s in zip(weights, means, stds, strict=True)]
    )


def mixture_log_likelihood(
    x: np.ndarray, weights: np.ndarray, means: np.ndarray, stds: np.ndarray
) -> float:
    """Σ_i log Σ_k w_k N(x_i | μ_k, σ_k²), computed stably (log-sum-exp)."""
    from scipy import stats
    from scipy.special import logsumexp

    x = np.asarray(x, dtype=float)
    log_terms = [
        np.log(w) + stats.norm.logpdf(x, m, s) for w, m, s in zip(weights, means, stds, strict=True)
    ]
    return float(np.sum(logsumexp(log_terms, axis=0)))


def starting_guess(x: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where EM starts: equal weights, means evenly spaced across the data's range, every
    width the data's overall standard deviation. No randomness, so every run is the same."""
    x = np.asarray(x, dtype=float)
    means = np.linspace(x.min(), x.max(), n_components + 2)[1:-1]
    return np.full(n_components, 1 / n_components), means, np.full(n_components, x.std())


def em_steps(
    x: np.ndarray,
    n_components: int = len(TRUE_MIXTURE),
    max_steps: int = MIXTURE_MAX_STEPS,
    tolerance: float = MIXTURE_TOLERANCE,
) -> list[MixtureStep]:
    """Fit a 1-D Gaussian mixture by EM, recording the mixture after every iteration.

    scikit-learn's GaussianMixture does the work: with max_iter=1 and warm_start=True each
    call to fit() runs exactly one E-step and one M-step from where the last call ended.
    Stops after max_steps, or once a step gains less than `tolerance` in log-likelihood.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    data = np.asarray(x, dtype=float).ravel()
    if int(n_components) != n_components or not 1 <= n_components <= 10:
        raise FeaturizeError(f"Choose 1 to 10 components, not {n_components!r}.")
    if data.size < 2 * n_components:
        raise FeaturizeError(f"{n_components} components need at least {2 * n_components} numbers.")
    if not np.all(np.isfinite(data)) or data.std() == 0:
        raise FeaturizeError("EM needs finite numbers that are not all equal.")
    weights, means, stds = starting_guess(data, n_components)
    steps = [
        MixtureStep(0, weights, means, stds, mixture_log_likelihood(data, weights, means, stds))
    ]
    model = GaussianMixture(
        n_components=n_components,
        max_iter=1,
        warm_start=True,
        weights_init=weights,
        means_init=means[:, None],
        precisions_init=(1 / stds**2)[:, None, None],
    )
    samples = data[:, None]
    for step in range(1, max_steps + 1):
        with warnings.catch_warnings():
            # one iteration never "converges": the warning is the point, not a problem
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(samples)
        steps.append(
            MixtureStep(
                step,
                model.weights_.copy(),
                model.means_.ravel().copy(),
                np.sqrt(model.covariances_.ravel()),
                float(model.score(samples) * data.size),  # score is the mean per sample
            )
        )
        if steps[-1].log_likelihood - steps[-2].log_likelihood < tolerance:
            break
    return steps
