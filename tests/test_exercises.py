"""The workbook's checks: right answers pass, wrong ones are told what is wrong, in words.

Right answers here are computed the way a student would (numpy and the slides' formulas),
never by the check's own reference; wrong answers are the usual slips.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import featurize as fz
from featurize import FeaturizeError, classification, clustering, fitting
from featurize.exercises import PASSED, UNANSWERED, WRONG, Feedback
from featurize.exercises import classification as check4
from featurize.exercises import clustering as check3
from featurize.exercises import descriptors as check1
from featurize.exercises import likelihood as check2
from featurize.exercises import networks as check6
from featurize.exercises import regression as check5

pytestmark = pytest.mark.usefixtures("cache")


def passes(feedback: Feedback) -> str:
    assert feedback.status == PASSED, feedback.message
    feedback.require()  # what nbgrader's hidden test calls: silent when right
    return feedback.message


def fails(feedback: Feedback, *phrases: str) -> str:
    """The answer is wrong, the message says each phrase, and the hint comes with it."""
    assert feedback.status == WRONG, feedback.message
    for phrase in phrases:
        assert phrase in feedback.message, (phrase, feedback.message)
    assert feedback.hint
    with pytest.raises(AssertionError, match="Exercise"):
        feedback.require()
    return feedback.message


# -- what every check shares ------------------------------------------------------------
CHECKS_OF_ONE_ANSWER = [
    check1.tanimoto_by_hand,
    check1.same_fingerprint,
    check1.invariance,
    check1.water_coulomb_matrix,
    check1.sorted_coulomb,
    check1.soap_vector_length,
    check2.log_likelihood_by_hand,
    check2.maximum_likelihood,
    check2.more_data,
    check3.inertia_by_k,
    check3.agreement_with_blocks,
    check3.e_step,
    check4.majority_baseline,
    check4.depth_where_test_falls,
    check4.confusion_by_hand,
    check5.kernel_ridge_by_hand,
    check6.one_neuron,
    check6.forward_pass,
    check6.learning_rates,
]


@pytest.mark.parametrize("check", CHECKS_OF_ONE_ANSWER, ids=lambda c: c.__name__)
def test_an_unanswered_exercise_says_so_and_does_not_raise(check):
    for placeholder in (None, {}, []):
        feedback = check(placeholder)
        assert feedback.status == UNANSWERED
        assert feedback.message.startswith("Not answered yet: set `")
        with pytest.raises(AssertionError, match="Not answered yet"):
            feedback.require()  # nbgrader's hidden test: no points for an empty answer


def test_a_function_that_still_returns_none_is_unanswered():
    def sort_coulomb(matrix):
        sorted_matrix = None
        # Your code here
        return sorted_matrix

    assert check1.sorted_coulomb(sort_coulomb).status == UNANSWERED


def test_an_answer_that_breaks_the_check_is_explained_not_raised():
    feedback = check1.sorted_coulomb(lambda matrix: 1 / 0)
    fails(feedback, "could not use your `sort_coulomb`", "ZeroDivisionError")


def test_feedback_shows_as_a_box_with_a_folded_hint_until_it_passes():
    wrong = check1.tanimoto_by_hand(0.5)
    html = wrong._repr_html_()
    assert "exercise-wrong" in html and "<details" in html and "Hint</summary>" in html
    assert wrong.hint.split()[0] in html
    right = check1.tanimoto_by_hand(2 / 11)
    assert "exercise-passed" in right._repr_html_() and "<details" not in right._repr_html_()
    assert str(right).startswith("✓ Exercise 1.1: Right")
    assert "Hint:" in str(wrong)


def test_the_checks_load_no_widget_library():
    code = (
        "import sys\n"
        "from featurize.exercises import classification, clustering, descriptors, likelihood, "
        "networks, regression\n"
        "print(sorted({'ipywidgets', 'plotly', 'nglview'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# -- 1 descriptors ------------------------------------------------------------------------
def test_tanimoto_by_hand():
    a = fz.morgan_fingerprint("CCO").astype(bool)
    b = fz.morgan_fingerprint("CC(=O)O").astype(bool)
    right = np.sum(a & b) / np.sum(a | b)
    assert "2/11 = 0.182" in passes(check1.tanimoto_by_hand(right))
    fails(check1.tanimoto_by_hand(float(np.sum(a & b))), "number of shared bits")
    fails(check1.tanimoto_by_hand(1 - right), "Tanimoto distance")
    fails(check1.tanimoto_by_hand(2 * np.sum(a & b) / (a.sum() + b.sum())), "Dice")
    fails(check1.tanimoto_by_hand(0.5), "RDKit gives 0.182", "yours is 0.5")
    fails(check1.tanimoto_by_hand("0.18"), "should be one number, not the text '0.18'")


def test_two_molecules_with_one_fingerprint():
    assert "different molecules with identical fingerprints" in passes(
        check1.same_fingerprint(("CCCCCCC", "CCCCCCCC"))
    )
    fails(check1.same_fingerprint(("CCO", "OCC")), "same molecule written two ways")
    fails(check1.same_fingerprint(("CCO", "CCN")), "Tanimoto 0.")
    fails(check1.same_fingerprint(("C1CC", "CC")), "'C1CC' is not a valid SMILES")
    fails(check1.same_fingerprint("CCO"), "two SMILES strings")


def measured_distances(water, *, skip=None, mistake=None):
    descriptors = {
        "coordinates": fz.coordinates,
        "coulomb_matrix": fz.coulomb_matrix,
        "soap": fz.soap,
    }
    distances = {}
    for name, descriptor in descriptors.items():
        for operation_name, operation in check1.operations().items():
            if (name, operation_name) == skip:
                continue
            change = descriptor(operation(water)) - descriptor(water)
            distances[name, operation_name] = np.linalg.norm(change)
    if mistake:
        distances[mistake] = np.linalg.norm(descriptors[mistake[0]](water))
    return distances


def test_invariance_is_measured(water):
    message = passes(check1.invariance(measured_distances(water)))
    assert "Coulomb matrix only under permutation" in message and "SOAP under none" in message
    fails(
        check1.invariance(measured_distances(water, skip=("soap", "permutation"))),
        "no entry for ('soap', 'permutation')",
    )
    fails(
        check1.invariance(measured_distances(water, mistake=("coordinates", "rotation"))),
        "the size of the descriptor itself",
    )
    guessed = measured_distances(water)
    guessed["coulomb_matrix", "permutation"] = 0.0
    fails(check1.invariance(guessed), "('coulomb_matrix', 'permutation')", "yours is 0")


def coulomb_by_formula(water, exponent=2.4, factor=0.5, power=1):
    z = water.get_atomic_numbers().astype(float)
    r = water.get_all_distances()
    with np.errstate(divide="ignore"):
        off_diagonal = np.outer(z, z) / r**power
    return np.where(np.eye(len(z), dtype=bool), factor * z**exponent, off_diagonal)


def test_water_coulomb_matrix_by_hand(water):
    right = coulomb_by_formula(water)
    assert "equals DScribe's" in passes(check1.water_coulomb_matrix(right))
    fails(
        check1.water_coulomb_matrix(coulomb_by_formula(water, exponent=2, factor=1)),
        "Row 0 is O's: its diagonal should be 0.5·8^2.4 ≈ 73.5, yours is 64",
        "the exponent is 2.4",
    )
    fails(
        check1.water_coulomb_matrix(coulomb_by_formula(water, factor=1)), "without the factor 0.5"
    )
    fails(
        check1.water_coulomb_matrix(coulomb_by_formula(water, power=2)),
        "Entry (0, 1), O–H",
        "divided by R²",
    )
    fails(check1.water_coulomb_matrix(right.ravel()), "shape (3, 3)", "Did you flatten it?")
    with np.errstate(divide="ignore"):
        fails(
            check1.water_coulomb_matrix(np.outer([8, 1, 1], [8, 1, 1]) / water.get_all_distances()),
            "inf",
        )


def sort_by_norm(matrix):
    order = np.argsort(np.linalg.norm(matrix, axis=1))[::-1]
    return matrix[order][:, order]


def test_sorted_coulomb_function():
    assert "DScribe's sorted_l2" in passes(check1.sorted_coulomb(sort_by_norm))

    def ascending(matrix):
        order = np.argsort(np.linalg.norm(matrix, axis=1))
        return matrix[order][:, order]

    def rows_only(matrix):
        return matrix[np.argsort(np.linalg.norm(matrix, axis=1))[::-1]]

    def in_place(matrix):
        matrix[:] = sort_by_norm(matrix.copy())
        return matrix

    fails(check1.sorted_coulomb(ascending), "smallest norm to the largest")
    fails(check1.sorted_coulomb(rows_only), "not symmetric", "rows but not the columns")
    fails(check1.sorted_coulomb(in_place), "changed the matrix it was given")
    fails(check1.sorted_coulomb("sorted"), "should be a function")


def test_soap_vector_length():
    def length(n_species, n_max, l_max):
        combinations = n_species * n_max
        return combinations * (combinations + 1) // 2 * (l_max + 1)

    assert "220 numbers" in passes(check1.soap_vector_length(length))
    fails(
        check1.soap_vector_length(lambda species, n, l_max: (species * n) ** 2 * (l_max + 1)),
        "DScribe gives 3 numbers; your function gives 4",
        "separately",
    )


# -- 2 likelihood ---------------------------------------------------------------------------
def slide_log_likelihood(x, mu, sigma):
    return np.sum(-np.log(sigma) - 0.5 * np.log(2 * np.pi) - (x - mu) ** 2 / (2 * sigma**2))


def test_log_likelihood_by_hand():
    assert "matches SciPy" in passes(check2.log_likelihood_by_hand(slide_log_likelihood))
    fails(
        check2.log_likelihood_by_hand(
            lambda x, mu, s: np.sum(-np.log(s) - (x - mu) ** 2 / (2 * s**2))
        ),
        "−½ log 2π term is missing",
    )
    fails(
        check2.log_likelihood_by_hand(
            lambda x, mu, s: np.sum(
                -np.log(s**2) - 0.5 * np.log(2 * np.pi) - (x - mu) ** 2 / (2 * s**2)
            )
        ),
        "log σ²",
    )
    fails(
        check2.log_likelihood_by_hand(lambda x, mu, s: np.prod(stats.norm.pdf(x, mu, s))),
        "product of the densities",
    )


def test_maximum_likelihood():
    message = passes(check2.maximum_likelihood(lambda x: (np.mean(x), np.std(x))))
    mu, _ = fz.gaussian_mle(fz.sample_data())
    assert f"μ̂ = {mu:.3f}" in message and "Jump to the maximum" in message
    fails(check2.maximum_likelihood(lambda x: (np.mean(x), np.std(x, ddof=1))), "n − 1")
    fails(check2.maximum_likelihood(lambda x: (np.mean(x), np.var(x))), "the variance")
    fails(check2.maximum_likelihood(lambda x: (np.median(x), np.std(x))), "the sample mean")
    fails(check2.maximum_likelihood(lambda x: np.mean(x)), "two numbers")


def test_more_data():
    def mle(x):
        return np.mean(x), np.std(x)

    estimates = {n: mle(fz.sample_data(n)) for n in check2.SAMPLE_SIZES}
    passes(check2.more_data(estimates))
    drawn_otherwise = dict(estimates)
    drawn_otherwise[100] = mle(np.random.default_rng(0).normal(5, 1.2, 100))
    fails(check2.more_data(drawn_otherwise), "n = 100", "fz.sample_data(n)")
    fails(check2.more_data({10: estimates[10]}), "no entry for n = 30")


# -- 3 clustering --------------------------------------------------------------------------
def test_kmeans_step():
    points, centroids = check3.element_points().points, check3.starting_centroids()
    labels = np.linalg.norm(points[:, None] - centroids[None], axis=2).argmin(axis=1)
    moved = np.array([points[labels == k].mean(axis=0) for k in range(3)])
    passes(check3.kmeans_step(labels, moved))
    wrong = labels.copy()
    wrong[5] = (wrong[5] + 1) % 3
    name = check3.element_points().names[5]
    fails(check3.kmeans_step(wrong, moved), f"Point 5 ({name}) is nearer centroid {labels[5]}")
    fails(check3.kmeans_step(labels, centroids), "Centroid 0 should move to the mean")
    assert check3.kmeans_step(labels, None).status == UNANSWERED


def test_inertia_by_k():
    points = check3.element_points().points
    inertias, distances = [], []
    for k in check3.K_RANGE:
        labels = clustering.cluster_points(points, "k-means", k)
        parts = [
            np.linalg.norm(points[labels == c] - points[labels == c].mean(axis=0), axis=1)
            for c in range(k)
        ]
        inertias.append(sum(np.sum(p**2) for p in parts))
        distances.append(sum(np.sum(p) for p in parts))
    assert "elbow" in passes(check3.inertia_by_k(inertias))
    fails(check3.inertia_by_k(distances), "For k = 1 KMeans gives inertia")
    fails(check3.inertia_by_k(inertias[:-1]), "shape (8,)")


def test_agreement_with_blocks():
    data = check3.element_points()
    from sklearn.metrics import adjusted_rand_score

    agreement = {
        algorithm: adjusted_rand_score(
            data.labels, clustering.cluster_points(data.points, algorithm, 4)
        )
        for algorithm in clustering.ALGORITHMS
    }
    assert "agrees best with the blocks" in passes(check3.agreement_with_blocks(agreement))
    three = dict(
        agreement,
        **{
            "k-means": adjusted_rand_score(
                data.labels, clustering.cluster_points(data.points, "k-means", 3)
            )
        },
    )
    fails(check3.agreement_with_blocks(three), "For k-means with 4 clusters")


def test_e_step():
    x, weights, means, stds = check3.mixture_start()
    weighted = weights * stats.norm.pdf(x[:, None], means, stds)
    right = weighted / weighted.sum(axis=1, keepdims=True)
    passes(check3.e_step(right))
    fails(check3.e_step(weighted), "Each row should sum to 1")
    fails(check3.e_step(right.T), "transpose it")
    with_variance = weights * stats.norm.pdf(x[:, None], means, stds**2)
    fails(
        check3.e_step(with_variance / with_variance.sum(axis=1, keepdims=True)),
        "GaussianMixture gives",
    )


# -- 4 classification ----------------------------------------------------------------------
def test_majority_baseline():
    table, split = check4.data()
    values, counts = np.unique(table.labels[split.train], return_counts=True)
    majority = values[np.argmax(counts)]
    assert f"'{majority}'" in passes(
        check4.majority_baseline(np.mean(table.labels[split.test] == majority))
    )
    fails(
        check4.majority_baseline(np.mean(table.labels[split.train] == majority)),
        "on the training elements",
    )
    fails(
        check4.majority_baseline(100 * np.mean(table.labels[split.test] == majority)), "percentage"
    )


def depth_scores():
    table, split = check4.data()
    x, y = table.features, table.labels
    train_scores, test_scores = [], []
    for depth in check4.DEPTHS:
        model = classification.make_classifier("tree", depth).fit(x[split.train], y[split.train])
        train_scores.append(model.score(x[split.train], y[split.train]))
        test_scores.append(model.score(x[split.test], y[split.test]))
    return train_scores, test_scores


def test_depth_sweep_and_where_the_test_score_falls():
    train_scores, test_scores = depth_scores()
    passes(check4.depth_sweep(train_scores, test_scores))
    fails(check4.depth_sweep(test_scores, train_scores), "swap the two")
    falls_at = next(
        check4.DEPTHS[i] for i in range(1, len(test_scores)) if test_scores[i] < test_scores[i - 1]
    )
    assert "overfitting" in passes(check4.depth_where_test_falls(falls_at))
    best = check4.DEPTHS[int(np.argmax(test_scores))]
    fails(check4.depth_where_test_falls(best), f"Depth {best} has the best test score")
    fully = check4.DEPTHS[int(np.argmax(np.array(train_scores) >= 1))]
    fails(check4.depth_where_test_falls(fully), "training accuracy reaches 100%")


def test_confusion_by_hand():
    table, split = check4.data()
    model = classification.make_classifier("tree", check4.CONFUSION_DEPTH)
    model.fit(table.features[split.train], table.labels[split.train])
    order = list(classification.CRYSTAL_STRUCTURES)
    counts = np.zeros((3, 3), dtype=int)
    for true, guess in zip(
        table.labels[split.test], model.predict(table.features[split.test]), strict=True
    ):
        counts[order.index(true), order.index(guess)] += 1
    passes(check4.confusion_by_hand(counts))
    if not np.array_equal(counts, counts.T):
        fails(check4.confusion_by_hand(counts.T), "transposed")
    doubled = counts.copy()
    doubled[0, 0] += 1
    fails(check4.confusion_by_hand(doubled), "each counted once")


# -- 5 regression -------------------------------------------------------------------------
def test_error_measures():
    reference, predicted = check5.g2_predictions()
    errors = predicted - reference
    mae, rmse = np.mean(np.abs(errors)), np.sqrt(np.mean(errors**2))
    assert "RMSE ≥ MAE" in passes(check5.error_measures(mae, rmse))
    fails(check5.error_measures(mae, np.mean(errors**2)), "mean squared error")
    fails(check5.error_measures(abs(np.mean(errors)), rmse), "signed errors")


def test_the_g2_settings_are_what_cross_validation_chooses():
    from featurize import regression

    chosen = regression.g2_contrast(check5.RECIPE)
    assert (chosen.gamma, chosen.alpha) == (check5.GAMMA, check5.LAMBDA)
    assert regression.recipe(check5.RECIPE).kernel == "laplacian"  # what 5.2's text says


def test_kernel_ridge_by_hand():
    from scipy.spatial.distance import cdist

    features, energies, train, test = check5.g2_data()

    def krr(metric="cityblock", centre=True):
        mean = energies[train].mean() if centre else 0.0
        kernel = np.exp(-check5.GAMMA * cdist(features[train], features[train], metric))
        alpha = np.linalg.solve(kernel + check5.LAMBDA * np.eye(len(train)), energies[train] - mean)
        return np.exp(-check5.GAMMA * cdist(features[test], features[train], metric)) @ alpha + mean

    assert "KernelRidge" in passes(check5.kernel_ridge_by_hand(krr()))
    fails(check5.kernel_ridge_by_hand(krr("euclidean")), "Euclidean (L2)")
    fails(check5.kernel_ridge_by_hand(krr(centre=False)), "subtract their training mean")
    fails(check5.kernel_ridge_by_hand(krr() - energies[train].mean()), "add the training mean back")


def test_sorting_on_a_learning_curve():
    from dscribe.descriptors import CoulombMatrix

    from featurize import regression

    molecules, energies, pool, test = check5.qm9_curve_data()
    width = max(len(atoms) for atoms in molecules)
    # the demo's molecules and units: the first training molecule, in Bohr
    from ase.units import Bohr

    from featurize.datasets import qm9_set

    first = regression.split_indices(len(qm9_set()), regression.TEST_SIZE)[0][0]
    assert np.allclose(molecules[0].positions * Bohr, qm9_set().molecules[first].positions)

    def flat(permutation, structures):
        engine = CoulombMatrix(n_atoms_max=width, permutation=permutation)
        return engine.create(structures).reshape(len(structures), -1)

    variants = {
        "sorted": flat("sorted_l2", molecules),
        "as stored": flat("none", molecules),
        "shuffled": flat("none", check5.shuffled_molecules(molecules)),
    }
    mae = {
        name: [
            regression.train_and_test(x, energies, pool[:n], test, check5.RECIPE).test_mae
            for n in check5.CURVE_SIZES
        ]
        for name, x in variants.items()
    }
    message = passes(check5.sorting_on_a_learning_curve("sorted", mae))
    best = min(mae, key=lambda name: mae[name][-1])
    assert f"{best!r} learns best" in message
    assert "as you predicted" in passes(check5.sorting_on_a_learning_curve(best, mae))
    # what the panels show must match: shuffled atoms hurt the unsorted matrix
    assert mae["shuffled"][-1] > mae["sorted"][-1]
    swapped = dict(mae, sorted=mae["shuffled"])
    fails(check5.sorting_on_a_learning_curve("sorted", swapped), "That is the 'shuffled' value")
    fails(
        check5.sorting_on_a_learning_curve("the sorted one", mae), "`prediction` should be one of"
    )


def test_best_polynomial_degree():
    test_rmse = [fitting.fit_polynomial(degree).test_rmse for degree in range(10)]
    train_rmse = [fitting.fit_polynomial(degree).train_rmse for degree in range(10)]
    best = int(np.argmin(test_rmse))
    assert f"degree {best}" in passes(check5.best_polynomial_degree(test_rmse, best))
    fails(check5.best_polynomial_degree(train_rmse, 9), "training errors")
    other = (best + 1) % 10
    fails(check5.best_polynomial_degree(test_rmse, other), f"is at degree {best}")


# -- 6 networks ---------------------------------------------------------------------------
def test_one_neuron():
    summed = check6.NEURON_INPUTS @ check6.NEURON_WEIGHTS + check6.NEURON_BIAS
    passes(check6.one_neuron(np.tanh(summed)))
    fails(check6.one_neuron(summed), "without the activation")
    fails(check6.one_neuron(np.tanh(summed - check6.NEURON_BIAS)), "left out the bias")
    fails(check6.one_neuron(1 / (1 + np.exp(-summed))), "sigmoid")


def test_forward_pass():
    network, x = check6.trained_network(), check6.network_inputs()
    (w1, w2), (b1, b2) = network.coefs_, network.intercepts_
    hidden = np.tanh(x @ w1 + b1)
    passes(check6.forward_pass(hidden @ w2 + b2))  # a column is accepted as well as a row
    fails(check6.forward_pass((hidden @ w2).ravel()), "output layer's bias")
    fails(check6.forward_pass(np.tanh(hidden @ w2 + b2).ravel()), "output layer is linear")


def test_gradient_descent():
    x, y = check6.descent_data()

    def descend(sign=1.0, epochs=check6.DESCENT_EPOCHS):
        slope = intercept = 0.0
        losses = []
        for _ in range(epochs):
            errors = slope * x + intercept - y
            losses.append(np.mean(errors**2))
            slope -= sign * check6.DESCENT_RATE * 2 * np.mean(errors * x)
            intercept -= sign * check6.DESCENT_RATE * 2 * np.mean(errors)
        return slope, intercept, losses

    passes(check6.gradient_descent(*descend()))
    fails(check6.gradient_descent(*descend(sign=-1)), "Your loss rises", "θ ← θ − η∇L")
    slope, intercept, losses = descend()
    fails(check6.gradient_descent(slope / 2, intercept, losses), "slope should have reached")


def test_learning_rates():
    final_loss = {}
    for rate in check6.LEARNING_RATES:
        try:
            *_, last = fitting.train_network(learning_rate=rate, epochs=check6.EPOCHS)
            final_loss[rate] = last.train_loss
        except FeaturizeError:
            final_loss[rate] = math.inf
    assert math.inf in final_loss.values()  # the exercise needs one rate that diverges
    assert "diverges" in passes(check6.learning_rates(final_loss))
    diverging = next(rate for rate, loss in final_loss.items() if math.isinf(loss))
    fails(check6.learning_rates({**final_loss, diverging: math.nan}), "store float('inf')")
