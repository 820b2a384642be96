"""Workbook 3, clustering: k-means by hand, inertia, agreement with the blocks, an E-step.

The references are scikit-learn's KMeans, adjusted_rand_score and GaussianMixture.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .. import clustering
from ..settings import RANDOM_SEED
from ._feedback import Mistake, array, close, exercise, fmt, number

N_START = 3  # 3.1: k-means starts from the first three elements' points
K_RANGE = tuple(range(1, 9))  # 3.2
N_BLOCKS = 4  # 3.3: s, p, d and f


@lru_cache(maxsize=1)
def element_points() -> clustering.PropertyMap:
    """The elements on their two principal axes, with their blocks: the clustering demo's data."""
    return clustering.element_property_map()


def starting_centroids() -> np.ndarray:
    return element_points().points[:N_START].copy()


@exercise(
    "3.1",
    "labels and new_centroids",
    "Distances from every point to every centroid: np.linalg.norm(points[:, None, :] - "
    "centroids[None, :, :], axis=2), shape (61, 3); argmin over axis 1 gives the labels. "
    "Each new centroid is points[labels == k].mean(axis=0).",
)
def kmeans_step(labels: Any, new_centroids: Any) -> str:
    from sklearn.cluster import KMeans
    from sklearn.metrics import pairwise_distances_argmin

    data = element_points()
    points, centroids = data.points, starting_centroids()
    n = len(points)
    expected_labels = pairwise_distances_argmin(points, centroids)
    mine = array(labels, "labels", (n,))
    distances = np.linalg.norm(points[:, None, :] - centroids[None, :, :], axis=2)
    for i in np.flatnonzero(mine != expected_labels):
        given = int(mine[i])
        if not 0 <= given < N_START:
            raise Mistake(
                f"labels[{i}] is {given}: a label is a centroid's number, 0 to {N_START - 1}."
            )
        right = int(expected_labels[i])
        raise Mistake(
            f"Point {i} ({data.names[i]}) is nearer centroid {right} (distance "
            f"{distances[i, right]:.2f}) than centroid {given} ({distances[i, given]:.2f}); "
            f"you assigned it to {given}."
        )
    one_step = KMeans(n_clusters=N_START, init=centroids, n_init=1, max_iter=1).fit(points)
    expected_centroids = one_step.cluster_centers_
    moved = array(new_centroids, "new_centroids", expected_centroids.shape)
    for k in range(N_START):
        if not np.allclose(moved[k], expected_centroids[k], atol=1e-8):
            count = int(np.sum(expected_labels == k))
            raise Mistake(
                f"Centroid {k} should move to the mean of its {count} points, "
                f"{np.round(expected_centroids[k], 3).tolist()}; yours is "
                f"{np.round(moved[k], 3).tolist()}."
            )
    shift = np.linalg.norm(expected_centroids - centroids, axis=1)
    return (
        "Right: your labels and centroids are scikit-learn's KMeans after one iteration. The "
        "centroids moved by " + ", ".join(f"{s:.2f}" for s in shift) + "; repeat both steps "
        "until nothing moves, and that is k-means."
    )


@lru_cache(maxsize=1)
def _inertias() -> tuple[float, ...]:
    from sklearn.cluster import KMeans

    points = element_points().points
    return tuple(
        float(KMeans(n_clusters=k, n_init=10, random_state=RANDOM_SEED).fit(points).inertia_)
        for k in K_RANGE
    )


@exercise(
    "3.2",
    "inertias",
    "For each k: labels = clustering.cluster_points(points, 'k-means', k); each cluster's "
    "centroid is the mean of its points; the inertia is the sum over all points of the "
    "squared distance to their own centroid.",
)
def inertia_by_k(inertias: Any) -> str:
    expected = np.array(_inertias())
    mine = array(inertias, "inertias", expected.shape)
    for k, mine_k, want in zip(K_RANGE, mine, expected, strict=True):
        if close(mine_k, want, 1e-6):
            continue
        cause = ""
        if close(mine_k**2, want, 1e-4) or close(mine_k, np.sqrt(want), 1e-4):
            cause = " Inertia adds squared distances, not distances."
        elif close(mine_k * len(element_points().points), want, 1e-6):
            cause = " You took the mean; inertia is the sum."
        raise Mistake(
            f"For k = {k} KMeans gives inertia {want:.2f}; yours is {fmt(mine_k)}.{cause}"
        )
    drops = -np.diff(expected)
    return (
        "Right: your inertias are KMeans's. They always fall as k grows (k = 61 would give 0), "
        f"so the best k is not the lowest: the drop from k = 1 to 2 is {drops[0]:.0f}, from "
        f"4 to 5 only {drops[3]:.0f}. Where the drops level off (the 'elbow') is a judgement."
    )


@lru_cache(maxsize=1)
def _agreements() -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    data = element_points()
    return {
        algorithm: float(
            adjusted_rand_score(
                data.labels, clustering.cluster_points(data.points, algorithm, N_BLOCKS)
            )
        )
        for algorithm in clustering.ALGORITHMS
    }


@exercise(
    "3.3",
    "agreement",
    "clustering.cluster_points(points, algorithm, 4) for each algorithm in "
    "clustering.ALGORITHMS, then sklearn.metrics.adjusted_rand_score(blocks, clusters).",
)
def agreement_with_blocks(agreement: Any) -> str:
    expected = _agreements()
    if not hasattr(agreement, "keys"):
        raise Mistake(
            f"`agreement` should be a dict keyed by algorithm; it is {type(agreement).__name__}."
        )
    for algorithm, want in expected.items():
        if algorithm not in agreement:
            raise Mistake(f"`agreement` has no entry for {algorithm!r}.")
        mine = number(agreement[algorithm], f"agreement[{algorithm!r}]")
        if not close(mine, want, 1e-6, 1e-9):
            raise Mistake(
                f"For {algorithm} with 4 clusters, adjusted_rand_score gives {want:.3f}; yours is "
                f"{fmt(mine)}." + (" An index above 1 is impossible." if mine > 1 else "")
            )
    ranked = sorted(expected, key=expected.get, reverse=True)
    return (
        f"Right. {ranked[0]} agrees best with the blocks ({expected[ranked[0]]:.2f}), "
        f"{ranked[-1]} least ({expected[ranked[-1]]:.2f}); 1 would be the blocks exactly, 0 "
        "chance. Properties of the atom do group by block, roughly: no label was used."
    )


def mixture_start() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, weights, means, stds): the mixture demo's sample and EM's starting guess."""
    x = clustering.mixture_sample()
    return (x, *clustering.starting_guess(x, len(clustering.TRUE_MIXTURE)))


@exercise(
    "3.4",
    "responsibilities",
    "scipy.stats.norm.pdf(x[:, None], means, stds) gives every density at once, shape "
    "(300, 3); multiply by the weights, then divide each row by its sum.",
)
def e_step(responsibilities: Any) -> str:
    from sklearn.mixture import GaussianMixture

    x, weights, means, stds = mixture_start()
    model = GaussianMixture(n_components=len(weights))
    model.weights_, model.means_ = weights, means[:, None]
    model.covariances_ = (stds**2)[:, None, None]
    model.precisions_cholesky_ = (1 / stds)[:, None, None]
    expected = model.predict_proba(x[:, None])
    given = np.asarray(responsibilities, dtype=float)
    if given.shape == expected.T.shape and given.shape != expected.shape:
        raise Mistake(
            f"Your array has shape {given.shape}: one row per sample, one column per "
            f"component, please: shape {expected.shape} (transpose it)."
        )
    mine = array(responsibilities, "responsibilities", expected.shape)
    sums = mine.sum(axis=1)
    if not np.allclose(sums, 1):
        i = int(np.argmax(np.abs(sums - 1)))
        raise Mistake(
            f"Each row should sum to 1 (a sample belongs to the components with these "
            f"probabilities); row {i} sums to {sums[i]:.3f}. Divide by the sum over components."
        )
    if not np.allclose(mine, expected, atol=1e-6):
        i = int(np.argmax(np.abs(mine - expected).max(axis=1)))
        raise Mistake(
            f"For sample {i} (x = {x[i]:.2f}) GaussianMixture gives "
            f"{np.round(expected[i], 3).tolist()}; yours is {np.round(mine[i], 3).tolist()}. "
            "Use each component's own mean and width (standard deviation, not variance)."
        )
    counts = expected.sum(axis=0)
    return (
        "Right: your responsibilities are scikit-learn's predict_proba at EM's starting guess. "
        "Summed over samples they give each component's share, "
        + ", ".join(f"{c:.0f}" for c in counts)
        + " of 300: the M-step turns them into new weights, means and widths."
    )
