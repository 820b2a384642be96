"""Rupp et al. (2012) reproduced: the features, the kernel, the split and the learning curve."""

import numpy as np
import pytest
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import laplacian_kernel

import featurize as fz
from featurize import FeaturizeError
from featurize import regression as rg

pytestmark = pytest.mark.usefixtures("cache")  # tests/conftest.py


@pytest.fixture(scope="module")
def qm9_regression():
    return rg.Qm9Regression()


@pytest.fixture(scope="module")
def curve(qm9_regression):
    """The whole learning curve, once: ~10 s on two cores."""
    return rg.learning_curve(regression=qm9_regression)


def test_sorted_coulomb_matrix_against_the_formula():
    """Rows (and columns) in order of decreasing norm, zero-padded, flattened."""
    atoms = fz.atoms_from_smiles("OCC#N")
    matrix = fz.coulomb_matrix(atoms)  # itself checked against the formula elsewhere
    order = np.argsort(-np.linalg.norm(matrix, axis=1), kind="stable")
    expected = np.zeros((12, 12))
    expected[: len(atoms), : len(atoms)] = matrix[np.ix_(order, order)]
    features = rg.sorted_coulomb_features([atoms], n_atoms_max=12)
    assert features.shape == (1, 144)
    np.testing.assert_allclose(features[0], expected.ravel(), rtol=1e-12)


def test_sorted_coulomb_matrix_ignores_the_atom_order():
    atoms = fz.atoms_from_smiles("OCC#N")
    shuffled = fz.permute(atoms, [6, 2, 0, 5, 1, 4, 3])
    a, b = rg.sorted_coulomb_features([atoms, shuffled])
    np.testing.assert_allclose(a, b, atol=1e-12)


def test_the_laplacian_kernel_is_the_formula():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 6))
    gamma = 0.3
    by_hand = np.exp(-gamma * np.sum(np.abs(x - y)))  # k(x, x') = exp(−γ ‖x − x'‖₁)
    assert laplacian_kernel([x], [y], gamma=gamma)[0, 0] == pytest.approx(by_hand, rel=1e-14)


def test_cross_validation_shortcut_is_the_same_model(qm9_regression):
    """KernelRidge on exp(−γ d) precomputed equals KernelRidge(kernel="laplacian")."""
    x = qm9_regression.features[qm9_regression.pool[:120]]
    y = qm9_regression.energies[qm9_regression.pool[:120]]
    test = qm9_regression.features[qm9_regression.test[:50]]
    gamma, alpha = 1e-4, 1e-7
    engine = rg.krr_model(gamma, alpha).fit(x, y).predict(test)
    distances = np.abs(x[:, None] - x[None]).sum(-1)
    kernel = np.exp(-gamma * distances)
    shortcut = KernelRidge(kernel="precomputed", alpha=alpha).fit(kernel, y - y.mean())
    cross = np.exp(-gamma * np.abs(test[:, None] - x[None]).sum(-1))
    np.testing.assert_allclose(shortcut.predict(cross) + y.mean(), engine, rtol=1e-9)


def test_the_split_is_fixed_disjoint_and_nested(qm9_regression):
    pool, test = rg.split_indices(3921, rg.TEST_SIZE)
    assert len(test) == 1000 and len(pool) == 2921
    assert not set(pool) & set(test)
    np.testing.assert_array_equal(pool, qm9_regression.pool)
    np.testing.assert_array_equal(test, rg.split_indices(3921, 1000)[1])


def test_learning_curve_beats_the_paper_with_at_most_1500_molecules(curve):
    assert curve.sizes == [100, 200, 400, 800, 1500]
    assert curve.n_test == 1000
    assert min(curve.test_mae) <= rg.PAPER_MAE_KCAL_PER_MOL  # 9.9 kcal/mol, N ≤ 1500
    assert curve.test_mae[-1] <= rg.PAPER_MAE_KCAL_PER_MOL
    assert all(a > b for a, b in zip(curve.test_mae, curve.test_mae[1:], strict=False))
    assert curve.test_mae[0] > 2 * curve.test_mae[-1]  # 15× the data, < half the error


def test_hyperparameters_come_from_the_grid(curve):
    assert set(curve.gamma) <= set(rg.GAMMA_GRID)
    assert set(curve.alpha) <= set(rg.ALPHA_GRID)
    # cross-validated on the training part, it predicts the test error's size
    for cv, test in zip(curve.cv_mae, curve.test_mae, strict=True):
        assert 0.5 < cv / test < 2


def test_g2_is_far_worse_with_its_few_data(curve):
    assert (curve.g2_n_train, curve.g2_n_test) == (111, 37)
    assert curve.g2_test_mae > curve.test_mae[0]  # worse than QM9 with 100 molecules


def test_learning_curve_round_trips_through_json(curve, tmp_path):
    assert rg.stored_learning_curve(tmp_path) is None
    rg.save_learning_curve(curve, tmp_path)
    assert rg.stored_learning_curve(tmp_path) == curve
    (tmp_path / rg.LEARNING_CURVE_FILE).write_text('{"format": 0}')
    assert rg.stored_learning_curve(tmp_path) is None  # another version: recompute


def test_one_run_reports_its_predictions(qm9_regression):
    run = qm9_regression.run(50)
    assert run.n_train == 50 and len(run.predicted) == len(run.reference) == 1000
    assert run.test_mae == pytest.approx(np.mean(np.abs(run.predicted - run.reference)))
    np.testing.assert_array_equal(run.reference, qm9_regression.energies[qm9_regression.test])


@pytest.mark.parametrize("size", [5, 3000])
def test_training_size_out_of_range_is_a_clear_error(qm9_regression, size):
    with pytest.raises(FeaturizeError, match="Choose between 10 and 2921"):
        qm9_regression.run(size)


def test_overlapping_train_and_test_is_refused(qm9_regression):
    x, y = qm9_regression.features, qm9_regression.energies
    with pytest.raises(FeaturizeError, match="overlap"):
        rg.train_and_test(x, y, np.arange(20), np.arange(15, 30))


def test_learning_curve_progress_moves_steadily_to_the_end(qm9_regression):
    calls = []
    small = rg.learning_curve((20, 40), lambda d, t: calls.append((d, t)), qm9_regression)
    assert small.sizes == [20, 40]
    assert len(calls) > 2 * len(rg.GAMMA_GRID)  # inside each run too, not only between runs
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1] == (1000, 1000)
    assert calls[len(rg.GAMMA_GRID)] == (200, 1000)  # 20² of 20² + 40²: the first run's share
