"""featurize.panels.classification: choose a model and its depth, read the tree and the scores."""

import numpy as np
import pytest

from featurize.classification import (
    DEFAULT_DEPTH,
    element_table,
    majority_baseline,
    train_classifier,
    tree_nodes,
)
from featurize.panels._figure import trace
from featurize.panels.classification import ClassificationPanel


@pytest.fixture(scope="module")
def classification():
    return ClassificationPanel()


def test_classification_shows_the_tree_and_its_scores(classification):
    panel = classification
    panel.model.value, panel.depth.value = "tree", DEFAULT_DEPTH
    result = train_classifier("tree", DEFAULT_DEPTH)
    assert panel.accuracies == pytest.approx((result.train_accuracy, result.test_accuracy))
    np.testing.assert_array_equal(panel.confusion, result.confusion)
    assert panel.confusion.sum() == 16
    nodes = trace(panel.tree_figure, "nodes")
    assert len(nodes.x) == len(tree_nodes(result))
    assert nodes.text[0] == tree_nodes(result)[0].text.replace("_", " ")
    _, _, baseline = majority_baseline()
    assert trace(panel.figure, "accuracy").y[2] == pytest.approx(baseline)
    assert "beats it" in panel.readout.value


def test_the_depth_slider_limits_the_drawn_tree(classification):
    panel = classification
    panel.model.value = "tree"
    for depth in (1, 2, 5):
        panel.depth.value = depth
        assert -min(trace(panel.tree_figure, "nodes").y) <= depth
        assert panel.result.model[-1].get_depth() <= depth
    panel.depth.value = 1
    assert len(trace(panel.tree_figure, "nodes").x) == 3  # a root and two leaves


def test_forest_and_knn(classification):
    panel = classification
    panel.model.value = "forest"
    assert "forest" in panel.tree_figure.layout.title.text
    assert panel.accuracies == pytest.approx(
        (train_classifier("forest", panel.depth.value).train_accuracy, panel.accuracies[1])
    )
    panel.model.value = "knn"
    assert panel.depth.disabled and not panel.neighbours.disabled
    assert len(trace(panel.tree_figure, "nodes").x) == 0
    note = panel.tree_figure.layout.annotations[0]
    assert note.visible and "no tree" in note.text  # says why, not blank
    panel.neighbours.value = 1
    assert panel.accuracies[0] == 1.0  # one neighbour: each training element is its own
    panel.neighbours.value = 5
    assert "does not beat" in panel.readout.value  # honest: k-NN ties the baseline
    panel.model.value = "tree"
    assert not any(note.visible for note in panel.tree_figure.layout.annotations)


def test_classification_table_is_shared_not_copied():
    assert ClassificationPanel().table is element_table()
