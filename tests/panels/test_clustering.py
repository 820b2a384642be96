"""featurize.panels.clustering: any 2-D map clustered live, and EM step by step."""

import numpy as np
import pytest

from featurize.clustering import cluster_points, element_property_map, em_steps, mixture_sample
from featurize.errors import FeaturizeError
from featurize.panels._figure import trace
from featurize.panels.clustering import NOISE_COLOUR, ClusteringPanel, MixturePanel


def test_clustering_panel_colours_by_cluster():
    panel = ClusteringPanel()
    element_map = element_property_map()
    np.testing.assert_allclose(
        np.array(trace(panel.figure, "points").x), element_map.points[:, 0], rtol=1e-12
    )
    assert list(trace(panel.figure, "points").text) == list(element_map.names)
    panel.n_clusters.value = 4
    clusters = cluster_points(element_map.points, "k-means", 4)
    colours = panel.colours
    assert len(set(colours)) == 4
    for c in range(4):  # one colour per cluster, the same cluster one colour
        assert len({colours[i] for i in np.flatnonzero(clusters == c)}) == 1
    assert "4 clusters" in panel.readout.value and "Rand" in panel.readout.value


def test_dbscan_controls_and_noise():
    panel = ClusteringPanel()
    panel.algorithm.value = "DBSCAN"
    assert panel.eps.layout.display is None and panel.n_clusters.layout.display == "none"
    panel.eps.value, panel.min_samples.value = 0.3, 5
    noise = np.sum(panel.clusters == -1)
    assert noise > 0 and panel.colours.count(NOISE_COLOUR) == noise
    assert f"{noise} points are noise" in panel.readout.value
    panel.algorithm.value = "agglomerative"
    assert panel.linkage.layout.display is None
    panel.linkage.value = "single"
    np.testing.assert_array_equal(
        panel.clusters, cluster_points(panel.points, "agglomerative", 3, linkage="single")
    )


def test_clustering_panel_takes_any_points():
    rng = np.random.default_rng(1)
    points = np.concatenate([rng.normal(0, 0.3, (10, 2)), rng.normal(5, 0.3, (10, 2))])
    panel = ClusteringPanel(
        points, names=[f"m{i}" for i in range(20)], labels=["a"] * 10 + ["b"] * 10
    )
    panel.n_clusters.value = 2
    assert "<b>1.00</b>" in panel.readout.value  # the two blobs are the two labels
    panel.n_clusters.value = 8
    panel.algorithm.value = "Gaussian mixture"
    assert panel.message.value == ""
    unlabelled = ClusteringPanel(points)
    assert "Rand" not in unlabelled.readout.value
    with pytest.raises(FeaturizeError, match=r"\(n, 2\)"):
        ClusteringPanel(np.zeros((5, 3)))
    with pytest.raises(FeaturizeError, match="NaN"):
        ClusteringPanel(np.array([[0.0, 1.0], [np.nan, 2.0]]))


def test_the_cluster_slider_stops_at_the_number_of_points():
    panel = ClusteringPanel(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]))
    assert panel.n_clusters.max == 3  # it cannot ask for more clusters than points
    for algorithm in ("k-means", "agglomerative", "Gaussian mixture"):
        panel.algorithm.value = algorithm
        panel.n_clusters.value = 3
        assert panel.message.value == ""
        assert sorted(panel.clusters) == [0, 1, 2]  # three points, three clusters of one


def test_mixture_panel_steps_through_em():
    panel = MixturePanel()
    steps = em_steps(mixture_sample())
    assert panel.step.max == len(steps) - 1
    curve = trace(panel.figure, "log-likelihood")
    assert list(curve.y) == [steps[0].log_likelihood]
    panel.next_step_button.click()
    panel.next_step_button.click()
    assert panel.step.value == 2
    np.testing.assert_allclose(curve.y, [s.log_likelihood for s in steps[:3]])
    assert np.all(np.diff(curve.y) >= 0)
    panel.run_button.click()
    assert "converged" in panel.readout.value
    total = np.array(trace(panel.figure, "mixture").y)
    components = sum(np.array(trace(panel.figure, f"component-{k + 1}").y) for k in range(3))
    np.testing.assert_allclose(total, components)
    assert np.trapezoid(total, panel.grid) == pytest.approx(1, abs=0.01)
    assert len(trace(panel.figure, "component-4").y) == 0  # unused: empty, hidden


def test_mixture_component_count_restarts_em():
    panel = MixturePanel()
    panel.run_button.click()
    panel.n_components.value = 2
    assert panel.step.value == 0
    assert panel.step.max == len(em_steps(mixture_sample(), 2)) - 1
    assert len(trace(panel.figure, "component-3").y) == 0
    assert len(trace(panel.figure, "component-2").y) == len(panel.grid)


def test_mixture_panel_offers_only_as_many_components_as_the_data_carry():
    panel = MixturePanel(data=np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert panel.n_components.max == 2  # EM needs two numbers per component
    assert len(trace(panel.figure, "mixture").y) == len(panel.grid)  # never a blank plot
    with pytest.raises(FeaturizeError, match="at least two numbers"):
        MixturePanel(data=np.array([1.0]))
