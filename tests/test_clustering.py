"""Clustering on the elements' property map, and a Gaussian mixture fitted by EM step by step."""

import numpy as np
import pytest
from scipy import stats
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from featurize.classification import element_table
from featurize.clustering import (
    ALGORITHMS,
    LINKAGES,
    MIXTURE_SAMPLES,
    TRUE_MIXTURE,
    agreement,
    cluster_points,
    element_property_map,
    em_steps,
    mixture_density,
    mixture_log_likelihood,
    mixture_sample,
    starting_guess,
)
from featurize.errors import FeaturizeError


@pytest.fixture(scope="module")
def property_map():
    return element_property_map()


def test_property_map_is_the_standardized_principal_plane(property_map):
    features = element_table().features.copy()
    medians = np.nanmedian(features, axis=0)
    features = np.where(np.isnan(features), medians, features)
    standardized = (features - features.mean(axis=0)) / features.std(axis=0)
    # independent: the eigenvectors of the covariance matrix, largest eigenvalues first
    values, vectors = np.linalg.eigh(np.cov(standardized.T))
    order = np.argsort(values)[::-1][:2]
    projected = standardized @ vectors[:, order]
    for axis in range(2):  # an eigenvector's sign is arbitrary
        column = property_map.points[:, axis]
        assert (
            min(
                np.abs(column - projected[:, axis]).max(), np.abs(column + projected[:, axis]).max()
            )
            < 1e-8
        )
    share = values[order] / values.sum()
    np.testing.assert_allclose(property_map.explained_variance, share)
    assert property_map.points.shape == (61, 2)
    assert set(property_map.labels) == {"s", "p", "d", "f"}
    assert element_property_map(label="structure").labels[property_map.names.index("Cu")] == "fcc"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_point_gets_a_cluster(property_map, algorithm):
    clusters = cluster_points(property_map.points, algorithm)
    assert clusters.shape == (61,)
    if algorithm != "DBSCAN":
        assert set(clusters) == {0, 1, 2}
    else:
        assert clusters.min() >= -1


def test_kmeans_is_scikit_learns_and_reproducible(property_map):
    clusters = cluster_points(property_map.points, "k-means", n_clusters=4)
    reference = KMeans(n_clusters=4, n_init=10, random_state=42).fit_predict(property_map.points)
    assert adjusted_rand_score(clusters, reference) == 1.0
    np.testing.assert_array_equal(clusters, cluster_points(property_map.points, "k-means", 4))


def test_kmeans_finds_obvious_blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    points = np.concatenate([c + rng.normal(0, 0.5, (20, 2)) for c in centres])
    truth = np.repeat([0, 1, 2], 20)
    for algorithm in ("k-means", "Gaussian mixture", "agglomerative", "DBSCAN"):
        clusters = cluster_points(points, algorithm, n_clusters=3, eps=2.0, min_samples=3)
        assert agreement(truth, clusters) == 1.0, algorithm


def test_dbscan_parameters_change_the_noise(property_map):
    tight = cluster_points(property_map.points, "DBSCAN", eps=0.3, min_samples=5)
    loose = cluster_points(property_map.points, "DBSCAN", eps=3.0, min_samples=2)
    assert np.sum(tight == -1) > np.sum(loose == -1)


@pytest.mark.parametrize("linkage", LINKAGES)
def test_every_linkage_runs(property_map, linkage):
    clusters = cluster_points(property_map.points, "agglomerative", 3, linkage=linkage)
    assert len(set(clusters)) == 3


def test_clustering_user_errors(property_map):
    with pytest.raises(FeaturizeError, match="Unknown algorithm"):
        cluster_points(property_map.points, "spectral")
    with pytest.raises(FeaturizeError, match="number of clusters"):
        cluster_points(property_map.points, "k-means", n_clusters=0)
    with pytest.raises(FeaturizeError, match="eps"):
        cluster_points(property_map.points, "DBSCAN", eps=0)
    with pytest.raises(FeaturizeError, match="NaN"):
        cluster_points(np.array([[0, 1], [np.nan, 2]]), "k-means", 1)


# -- the 1-D mixture -------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    return mixture_sample()


@pytest.fixture(scope="module")
def steps(sample):
    return em_steps(sample)


def test_mixture_sample_is_reproducible(sample):
    assert sample.shape == (MIXTURE_SAMPLES,)
    np.testing.assert_array_equal(sample, mixture_sample())
    assert not np.array_equal(sample, mixture_sample(seed=1))
    rng = np.random.default_rng(42)
    which = rng.choice(3, size=300, p=[0.25, 0.5, 0.25])
    expected = rng.normal(np.array([1.5, 5.0, 9.0])[which], np.array([0.6, 1.2, 0.8])[which])
    np.testing.assert_array_equal(sample, expected)


def test_log_likelihood_formula(sample):
    weights, means, stds = np.array([0.2, 0.8]), np.array([2.0, 6.0]), np.array([1.0, 2.0])
    by_hand = sum(
        np.log(
            sum(w * stats.norm.pdf(x, m, s) for w, m, s in zip(weights, means, stds, strict=True))
        )
        for x in sample
    )
    assert mixture_log_likelihood(sample, weights, means, stds) == pytest.approx(by_hand)
    grid = np.linspace(-5, 15, 2001)
    total = mixture_density(grid, weights, means, stds).sum(axis=0)
    assert np.trapezoid(total, grid) == pytest.approx(1, abs=1e-4)


def test_em_never_decreases_the_log_likelihood(steps):
    values = np.array([s.log_likelihood for s in steps])
    assert len(steps) > 10  # many visible steps, not a jump to the answer
    assert np.all(np.diff(values) >= -1e-9)
    assert values[-1] > values[0] + 10


def test_engines_log_likelihood_is_the_formula(sample, steps):
    for step in steps[1::7]:
        by_formula = mixture_log_likelihood(sample, step.weights, step.means, step.stds)
        # scikit-learn adds reg_covar = 1e-6 to each variance; nothing else differs
        assert step.log_likelihood == pytest.approx(by_formula, rel=1e-6)


def test_em_starts_from_the_stated_guess(sample, steps):
    weights, means, stds = starting_guess(sample, 3)
    np.testing.assert_allclose(steps[0].weights, weights)
    np.testing.assert_allclose(weights, [1 / 3] * 3)
    np.testing.assert_allclose(steps[0].means, means)
    np.testing.assert_allclose(steps[0].stds, stds)
    np.testing.assert_allclose(stds, np.std(sample))
    np.testing.assert_allclose(
        means, [sample.min() + f * np.ptp(sample) for f in (0.25, 0.5, 0.75)]
    )
    assert steps[0].step == 0 and steps[1].step == 1


def test_em_converges_near_the_true_mixture(steps):
    final = steps[-1]
    order = np.argsort(final.means)
    true_weights, true_means, true_stds = (np.array(c) for c in zip(*TRUE_MIXTURE, strict=True))
    np.testing.assert_allclose(final.weights[order], true_weights, atol=0.06)
    np.testing.assert_allclose(final.means[order], true_means, atol=0.2)
    np.testing.assert_allclose(final.stds[order], true_stds, atol=0.15)
    assert final.weights.sum() == pytest.approx(1)


def test_one_component_em_is_the_single_gaussian_mle(sample):
    final = em_steps(sample, n_components=1)[-1]
    assert final.means[0] == pytest.approx(sample.mean())
    assert final.stds[0] == pytest.approx(sample.std(), rel=1e-6)


def test_mixture_user_errors(sample):
    with pytest.raises(FeaturizeError, match="components"):
        em_steps(sample, n_components=0)
    with pytest.raises(FeaturizeError, match="at least"):
        em_steps(sample[:3], n_components=2)
    with pytest.raises(FeaturizeError, match="not all equal"):
        em_steps(np.full(10, 3.0), n_components=2)
    with pytest.raises(FeaturizeError, match="sum to 1"):
        mixture_sample(components=((0.5, 0, 1), (0.2, 1, 1)))
