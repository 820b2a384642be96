"""Two recipes on one split: the features, the kernels, the split and both learning curves."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from ase.units import Bohr
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import laplacian_kernel, rbf_kernel

import featurize as fz
from featurize import FeaturizeError
from featurize import regression as rg

pytestmark = pytest.mark.usefixtures("cache")  # tests/conftest.py

RUPP, HANSEN = "rupp2012", "hansen2013"
# Both curves as the code computes them (kcal/mol, QM9 ≤ 7 heavy atoms, U0 − ZPVE, 1000
# held-out molecules), at N = 100, 200, 400, 800, 1500. The slide and the notes quote them;
# the tolerance leaves room for another machine's linear algebra, not for another recipe.
EXPECTED_TEST_MAE = {
    RUPP: (21.9, 17.5, 15.7, 14.3, 12.8),
    HANSEN: (27.3, 21.6, 15.2, 10.6, 7.4),
}
EXPECTED_G2_MAE = {RUPP: 129.1, HANSEN: 52.4}
RELATIVE_TOLERANCE = 0.03


@pytest.fixture(scope="module")
def qm9_regression():
    return rg.Qm9Regression()


@pytest.fixture(scope="module")
def curve(qm9_regression):
    """The whole learning curve of both recipes, once: ~20 s on two cores."""
    return rg.learning_curve(regression=qm9_regression)


def coulomb_matrix_in_atomic_units(atoms):
    """M_ii = 0.5 Z_i^2.4, M_ij = Z_i Z_j / R_ij with R in Bohr, without DScribe."""
    z = atoms.get_atomic_numbers().astype(float)
    r = atoms.get_positions() / Bohr
    distances = np.linalg.norm(r[:, None] - r[None], axis=-1)
    np.fill_diagonal(distances, 1.0)
    matrix = np.outer(z, z) / distances
    np.fill_diagonal(matrix, 0.5 * z**2.4)
    return matrix


def test_features_are_in_atomic_units():
    water = fz.molecule("H2O")
    in_bohr = rg.in_bohr(water)
    np.testing.assert_allclose(in_bohr.positions * 0.529177, water.positions, rtol=1e-5)
    np.testing.assert_allclose(
        fz.coulomb_matrix(in_bohr), coulomb_matrix_in_atomic_units(water), atol=1e-10
    )


def test_eigenvalues_sorted_by_magnitude_and_zero_padded():
    """Rupp 2012: the eigenvalues of the Coulomb matrix, largest |λ| first, then zeros."""
    atoms = fz.atoms_from_smiles("OCC#N")
    eigenvalues = np.linalg.eigvalsh(coulomb_matrix_in_atomic_units(atoms))
    expected = np.zeros(12)
    expected[: len(atoms)] = eigenvalues[np.argsort(-np.abs(eigenvalues))]
    features = rg.coulomb_features([atoms], "eigenspectrum", n_atoms_max=12)
    assert features.shape == (1, 12)
    np.testing.assert_allclose(features[0], expected, atol=1e-9)


def test_sorted_coulomb_matrix_against_the_formula():
    """Hansen 2013: rows (and columns) in order of decreasing norm, zero-padded, flattened."""
    atoms = fz.atoms_from_smiles("OCC#N")
    matrix = coulomb_matrix_in_atomic_units(atoms)
    order = np.argsort(-np.linalg.norm(matrix, axis=1), kind="stable")
    expected = np.zeros((12, 12))
    expected[: len(atoms), : len(atoms)] = matrix[np.ix_(order, order)]
    features = rg.coulomb_features([atoms], "sorted_l2", n_atoms_max=12)
    assert features.shape == (1, 144)
    np.testing.assert_allclose(features[0], expected.ravel(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("permutation", ["eigenspectrum", "sorted_l2"])
def test_both_representations_ignore_the_atom_order(permutation):
    atoms = fz.atoms_from_smiles("OCC#N")
    shuffled = fz.permute(atoms, [6, 2, 0, 5, 1, 4, 3])
    a, b = rg.coulomb_features([atoms, shuffled], permutation)
    np.testing.assert_allclose(a, b, atol=1e-10)


def test_unknown_representation_or_recipe_is_a_clear_error():
    with pytest.raises(FeaturizeError, match="'eigenspectrum' or 'sorted_l2'"):
        rg.coulomb_features([fz.molecule("H2O")], "none")
    with pytest.raises(FeaturizeError, match="rupp2012, hansen2013"):
        rg.recipe("montavon")


def test_the_recipes_are_the_papers():
    assert (rg.RECIPES[RUPP].permutation, rg.RECIPES[RUPP].kernel) == ("eigenspectrum", "rbf")
    assert (rg.RECIPES[HANSEN].permutation, rg.RECIPES[HANSEN].kernel) == (
        "sorted_l2",
        "laplacian",
    )
    assert "Rupp 2012" in rg.RECIPES[RUPP].label and "Hansen 2013" in rg.RECIPES[HANSEN].label


def test_the_kernels_are_the_slides_formulas():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 6))
    gamma = 0.3
    # Laplacian k(x, x') = exp(−γ ‖x − x'‖₁), Gaussian k(x, x') = exp(−γ ‖x − x'‖²)
    laplacian = np.exp(-gamma * np.sum(np.abs(x - y)))
    gaussian = np.exp(-gamma * np.sum((x - y) ** 2))
    assert laplacian_kernel([x], [y], gamma=gamma)[0, 0] == pytest.approx(laplacian, rel=1e-14)
    assert rbf_kernel([x], [y], gamma=gamma)[0, 0] == pytest.approx(gaussian, rel=1e-14)
    for kernel, by_hand in (("laplacian", laplacian), ("rbf", gaussian)):
        distance = rg.kernel_distances(kernel, [x], [y])[0, 0]
        assert np.exp(-gamma * distance) == pytest.approx(by_hand, rel=1e-12)


def test_kernel_ridge_regression_is_the_slides_formula():
    """ŷ(x) = ȳ + Σᵢ αᵢ k(x, xᵢ) with α = (K + λI)⁻¹ (y − ȳ): the engine against numpy."""
    rng = np.random.default_rng(1)
    x, y, new = rng.normal(size=(30, 4)), rng.normal(size=30), rng.normal(size=(5, 4))
    gamma, ridge = 0.2, 1e-3
    kernel = np.exp(-gamma * np.sum((x[:, None] - x[None]) ** 2, axis=-1))
    coefficients = np.linalg.solve(kernel + ridge * np.eye(30), y - y.mean())
    cross = np.exp(-gamma * np.sum((new[:, None] - x[None]) ** 2, axis=-1))
    by_hand = y.mean() + cross @ coefficients
    engine = rg.krr_model("rbf", gamma, ridge).fit(x, y).predict(new)
    np.testing.assert_allclose(engine, by_hand, rtol=1e-9)


@pytest.mark.parametrize("recipe_key", [RUPP, HANSEN])
def test_cross_validation_shortcut_is_the_same_model(qm9_regression, recipe_key):
    """KernelRidge on exp(−γ d) precomputed equals KernelRidge(kernel=...) for each recipe."""
    recipe = rg.RECIPES[recipe_key]
    features = qm9_regression.features[recipe_key]
    x = features[qm9_regression.pool[:120]]
    y = qm9_regression.energies[qm9_regression.pool[:120]]
    test = features[qm9_regression.test[:50]]
    gamma, alpha = recipe.gammas[2], 1e-6
    engine = rg.krr_model(recipe.kernel, gamma, alpha).fit(x, y).predict(test)
    kernel = np.exp(-gamma * rg.kernel_distances(recipe.kernel, x))
    shortcut = KernelRidge(kernel="precomputed", alpha=alpha).fit(kernel, y - y.mean())
    cross = np.exp(-gamma * rg.kernel_distances(recipe.kernel, test, x))
    np.testing.assert_allclose(shortcut.predict(cross) + y.mean(), engine, rtol=1e-7)


def test_the_split_is_fixed_disjoint_and_nested(qm9_regression):
    pool, test = rg.split_indices(3921, rg.TEST_SIZE)
    assert len(test) == 1000 and len(pool) == 2921
    assert not set(pool) & set(test)
    np.testing.assert_array_equal(pool, qm9_regression.pool)
    np.testing.assert_array_equal(test, rg.split_indices(3921, 1000)[1])


@pytest.mark.parametrize("recipe_key", [RUPP, HANSEN])
def test_both_curves_are_pinned(curve, recipe_key):
    assert curve.sizes == (100, 200, 400, 800, 1500)
    assert curve.n_test == 1000
    np.testing.assert_allclose(
        curve.curves[recipe_key].test_mae, EXPECTED_TEST_MAE[recipe_key], rtol=RELATIVE_TOLERANCE
    )
    measured = curve.curves[recipe_key].test_mae
    assert all(a > b for a, b in itertools.pairwise(measured))  # more data helps


def test_the_representation_decides_how_far_a_curve_goes(curve):
    rupp, hansen = curve.curves[RUPP].test_mae, curve.curves[HANSEN].test_mae
    # 23 eigenvalues learn faster from few molecules; the whole matrix goes further
    assert rupp[0] < hansen[0]
    assert hansen[-1] < rupp[-1]
    # from 100 to 1500 molecules the sorted matrix's error falls by 3.7×, the eigenvalues' 1.7×
    assert hansen[0] / hansen[-1] > 3 > 2 > rupp[0] / rupp[-1]
    # Neither curve reaches the first paper's 9.9 kcal/mol with the eigenvalues here: that
    # point is on QM7 with ~7000 molecules, almost five times this curve's largest set.
    assert min(rupp) > rg.PAPER_MAE_KCAL_PER_MOL
    assert 4 * max(curve.sizes) < rg.PAPER_TRAINING_SIZE


def test_hyperparameters_come_from_each_recipes_grid(curve):
    for key, recipe_curve in curve.curves.items():
        assert set(recipe_curve.gamma) <= set(rg.RECIPES[key].gammas)
        assert set(recipe_curve.alpha) <= set(rg.RECIPES[key].alphas)
        # cross-validated on the training part, it predicts the test error's size
        for cv, test in zip(recipe_curve.cv_mae, recipe_curve.test_mae, strict=True):
            assert 0.5 < cv / test < 2


def test_g2_is_far_worse_with_its_few_data(curve):
    assert (curve.g2_n_train, curve.g2_n_test) == (111, 37)
    for key, expected in EXPECTED_G2_MAE.items():
        g2 = curve.curves[key].g2_test_mae
        assert g2 == pytest.approx(expected, rel=RELATIVE_TOLERANCE)
        assert g2 > curve.curves[key].test_mae[0]  # worse than QM9 with 100 molecules


def test_learning_curve_round_trips_through_json(curve, tmp_path):
    assert rg.stored_learning_curve(tmp_path) is None
    rg.save_learning_curve(curve, tmp_path)
    assert rg.stored_learning_curve(tmp_path) == curve
    (tmp_path / rg.LEARNING_CURVE_FILE).write_text('{"format": 0}')
    assert rg.stored_learning_curve(tmp_path) is None  # another version: recompute


def test_a_curve_of_other_settings_is_never_served(curve, tmp_path, monkeypatch):
    rg.save_learning_curve(curve, tmp_path)
    stored = json.loads((tmp_path / rg.LEARNING_CURVE_FILE).read_text())
    stored["settings"]["recipes"][HANSEN]["gammas"] = [1e-4]  # a grid this deck does not use
    (tmp_path / rg.LEARNING_CURVE_FILE).write_text(json.dumps(stored))
    assert rg.stored_learning_curve(tmp_path) is None
    # the first deck's file (one recipe, U0 with its zero-point energy) has another name
    (tmp_path / "learning_curve.json").write_text(json.dumps({"format": 1, "sizes": []}))
    assert rg.LEARNING_CURVE_FILE != "learning_curve.json"
    rg.save_learning_curve(curve, tmp_path)
    assert rg.stored_learning_curve(tmp_path) == curve
    monkeypatch.setattr(rg, "TEST_SIZE", 500)
    assert rg.stored_learning_curve(tmp_path) is None


def test_make_data_writes_the_file_the_makefile_waits_for():
    makefile = Path(__file__).resolve().parents[1] / "Makefile"
    assert f"/{rg.LEARNING_CURVE_FILE}\n" in makefile.read_text()


@pytest.mark.parametrize("recipe_key", [RUPP, HANSEN])
def test_one_run_reports_its_predictions(qm9_regression, recipe_key):
    run = qm9_regression.run(50, recipe_key)
    assert run.recipe == recipe_key
    assert run.n_train == 50 and len(run.predicted) == len(run.reference) == 1000
    assert run.test_mae == pytest.approx(np.mean(np.abs(run.predicted - run.reference)))
    np.testing.assert_array_equal(run.reference, qm9_regression.energies[qm9_regression.test])


@pytest.mark.parametrize("size", [5, 3000])
def test_training_size_out_of_range_is_a_clear_error(qm9_regression, size):
    with pytest.raises(FeaturizeError, match="Choose between 10 and 2921"):
        qm9_regression.run(size, HANSEN)


def test_overlapping_train_and_test_is_refused(qm9_regression):
    x, y = qm9_regression.features[HANSEN], qm9_regression.energies
    with pytest.raises(FeaturizeError, match="overlap"):
        rg.train_and_test(x, y, np.arange(20), np.arange(15, 30), HANSEN)


def test_learning_curve_progress_moves_steadily_to_the_end(qm9_regression):
    calls = []
    small = rg.learning_curve((20, 40), lambda d, t: calls.append((d, t)), qm9_regression)
    assert small.sizes == (20, 40)
    first_run = len(rg.RECIPES[RUPP].gammas)  # one call per γ inside each run
    assert len(calls) > 2 * first_run
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1] == (1000, 1000)
    # 20² of 2 · (20² + 40²) = 4000: the first run (Rupp's, at N = 20) is a tenth of the work
    assert calls[first_run] == (100, 1000)
