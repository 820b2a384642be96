"""Crystal structure (fcc/bcc/hcp) from atomic properties: labels, features, models, scores."""

import math

import numpy as np
import pytest
from ase.data import atomic_numbers, reference_states
from mendeleev import element

from featurize.classification import (
    CRYSTAL_STRUCTURES,
    DEFAULT_DEPTH,
    FEATURES,
    LEFT_OUT,
    MAX_DEPTH,
    TEST_FRACTION,
    element_table,
    majority_baseline,
    stratified_split,
    train_classifier,
    tree_depth,
    tree_nodes,
    tree_text,
)
from featurize.errors import FeaturizeError


def column(name):
    return element_table().features[:, list(FEATURES).index(name)]


def test_labels_are_ases_reference_states():
    table = element_table()
    assert len(table.symbols) == 61
    for symbol, label in zip(table.symbols, table.labels, strict=True):
        assert reference_states[atomic_numbers[symbol]]["symmetry"] == label
    assert set(table.labels) == set(CRYSTAL_STRUCTURES)
    assert {"Cu": "fcc", "Fe": "bcc", "Ti": "hcp"}.items() <= dict(
        zip(table.symbols, table.labels, strict=True)
    ).items()


def test_features_are_mendeleevs_and_nothing_leaks():
    table = element_table()
    index = table.symbols.index("Fe")
    iron = element("Fe")
    assert column("atomic_number")[index] == 26
    assert column("group")[index] == 8 and column("period")[index] == 4
    assert column("d_electrons")[index] == 6
    assert column("valence_electrons")[index] == 8  # 3d6 4s2
    assert column("electronegativity")[index] == pytest.approx(iron.en_pauling)
    assert column("covalent_radius")[index] == pytest.approx(iron.covalent_radius_pyykko)
    assert column("ionization_energy")[index] == pytest.approx(iron.ionenergies[1])
    assert column("melting_point")[index] == pytest.approx(1811.15)
    for leaky in ("lattice_structure", "lattice_constant", "density", "metallic_radius"):
        assert leaky not in FEATURES
        assert any(leaky in key for key in LEFT_OUT)


def test_missing_values_are_only_where_stated():
    table = element_table()
    missing = np.isnan(table.features)
    assert set(np.flatnonzero(missing.any(axis=0))) == {list(FEATURES).index("electronegativity")}
    assert sorted(np.array(table.symbols)[missing.any(axis=1)]) == sorted(
        ["Ne", "Ar", "Kr", "Eu", "Tb", "Yb"]
    )
    # the f-block counted as group 3
    assert column("group")[table.symbols.index("Gd")] == 3


def test_split_is_fixed_and_stratified():
    table = element_table()
    split = stratified_split(table)
    np.testing.assert_array_equal(split.test, stratified_split(table).test)
    assert len(split.test) == math.ceil(TEST_FRACTION * 61) == 16  # scikit-learn rounds up
    assert not set(split.train) & set(split.test)
    assert len(split.train) + len(split.test) == 61
    for structure in CRYSTAL_STRUCTURES:
        share_all = np.mean(table.labels == structure)
        assert np.mean(table.labels[split.test] == structure) == pytest.approx(share_all, abs=0.07)


# The numbers the lecture reports, held out on the fixed split (16 test elements):
# depth:      1     2     3     4     5     6 …
# train:   0.58  0.71  0.82  0.91  0.98  1.00
# test:    0.56  0.63  0.69  0.56  0.56  0.56
@pytest.mark.parametrize(
    ("depth", "train", "test"),
    [(1, 26 / 45, 9 / 16), (2, 32 / 45, 10 / 16), (3, 37 / 45, 11 / 16), (6, 1.0, 9 / 16)],
)
def test_tree_accuracies_on_the_fixed_split(depth, train, test):
    result = train_classifier("tree", depth)
    assert result.train_accuracy == pytest.approx(train)
    assert result.test_accuracy == pytest.approx(test)


def test_accuracy_is_the_share_of_right_answers():
    table, result = element_table(), train_classifier("forest")
    truth = table.labels[result.split.test]
    assert result.test_accuracy == pytest.approx(np.mean(result.test_predictions == truth))
    assert result.confusion.sum() == len(result.split.test) == 16
    assert np.trace(result.confusion) == np.sum(result.test_predictions == truth)
    for row, structure in enumerate(CRYSTAL_STRUCTURES):
        assert result.confusion[row].sum() == np.sum(truth == structure)


@pytest.mark.parametrize("model", ["tree", "forest", "knn"])
def test_confusion_matrix_sums_to_the_test_size(model):
    result = train_classifier(model)
    assert result.confusion.shape == (3, 3)
    assert result.confusion.sum() == len(result.split.test)


def test_tree_and_forest_beat_the_majority_baseline_but_knn_does_not():
    majority, _, baseline = majority_baseline()
    assert (majority, baseline) == ("hcp", 7 / 16)
    assert train_classifier("tree", DEFAULT_DEPTH).test_accuracy > baseline
    assert train_classifier("forest").test_accuracy > baseline
    # Honest: k-nearest neighbours on these ten scaled features only ties the baseline
    # (7 of 16): every feature counts equally in its distance, the useless ones too.
    assert train_classifier("knn").test_accuracy == pytest.approx(baseline)


def test_deeper_trees_fit_the_training_set_better_and_obey_the_depth():
    train = []
    for depth in range(1, MAX_DEPTH + 1):
        result = train_classifier("tree", depth)
        assert tree_depth(result) <= depth
        train.append(result.train_accuracy)
    assert train == sorted(train) and train[-1] == 1.0
    assert tree_depth(train_classifier("tree", 2)) == 2


def test_tree_drawing_matches_the_fitted_tree():
    result = train_classifier("tree", DEFAULT_DEPTH)
    nodes = tree_nodes(result)
    estimator = result.model[-1]
    assert len(nodes) == estimator.tree_.node_count
    assert sum(n.is_leaf for n in nodes) == estimator.get_n_leaves()
    assert min(n.y for n in nodes) == -tree_depth(result)
    assert nodes[0].samples == 45 and nodes[0].parent == -1
    for node in nodes:
        if not node.is_leaf:
            children = [n for n in nodes if n.parent == node.index]
            assert len(children) == 2
            assert node.x == pytest.approx(np.mean([c.x for c in children]))
            assert node.samples == sum(c.samples for c in children)
            assert node.text.split(" ≤ ")[0] in FEATURES
        else:
            assert node.text in CRYSTAL_STRUCTURES
    assert nodes[0].text.split(" ≤ ")[0] in tree_text(result).splitlines()[0]


def test_user_errors_are_featurize_errors():
    with pytest.raises(FeaturizeError, match="Unknown model"):
        train_classifier("svm")
    with pytest.raises(FeaturizeError, match="depth"):
        train_classifier("tree", 0)
    with pytest.raises(FeaturizeError, match="training elements"):
        train_classifier("knn", neighbours=100)
    with pytest.raises(FeaturizeError, match="not a tree"):
        tree_nodes(train_classifier("knn"))


def test_ml_compute_modules_import_no_widgets_and_no_engines_until_used():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import featurize.classification, featurize.clustering, featurize.fitting\n"
        "heavy = {'ipywidgets', 'plotly', 'matplotlib', 'sklearn', 'mendeleev'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_melting_point_is_the_one_property_of_the_solid_and_the_demo_tree_ignores_it():
    """The slides say "nine atomic properties and the melting point": the melting point
    belongs to the solid, so it already depends on the structure. The depth-3 tree whose
    11/16 the notes quote never splits on it."""
    assert list(FEATURES)[-1] == "melting_point" and len(FEATURES) == 10
    tree = train_classifier("tree", DEFAULT_DEPTH).model[-1]
    importance = dict(zip(FEATURES, tree.feature_importances_, strict=True))
    assert importance["melting_point"] == 0
    assert max(importance, key=importance.get) == "group"


def test_one_test_element_is_within_the_noise():
    """The notes: depth 3 gets 11 of 16 test elements, deeper trees 9 of 16; the binomial
    standard error of 11/16 is about 0.12, two elements."""
    assert train_classifier("tree", 4).test_accuracy == pytest.approx(9 / 16)
    accuracy = train_classifier("tree", DEFAULT_DEPTH).test_accuracy
    assert accuracy == pytest.approx(11 / 16)
    assert math.sqrt(accuracy * (1 - accuracy) / 16) == pytest.approx(0.12, abs=0.005)
