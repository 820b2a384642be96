"""Atomization energies from the Coulomb matrix: two published recipes, one learning curve each.

- "eigenvalues + Gaussian (Rupp 2012)": Rupp, Tkatchenko, Müller, von Lilienfeld, PRL 108,
  058301 (2012). Each molecule becomes the eigenvalues of its Coulomb matrix, sorted by
  |λ| and zero-padded; kernel ridge regression with a Gaussian kernel
  k(x, x') = exp(−γ ‖x − x'‖²). The paper: 9.9 kcal/mol with N ≈ 7000 on QM7.
- "sorted matrix + Laplacian (Hansen 2013)": Montavon et al., NIPS 25 (2012); Hansen et
  al., J. Chem. Theory Comput. 9, 3404 (2013). The whole matrix, rows and columns sorted by
  their norm, flattened; a Laplacian kernel k(x, x') = exp(−γ ‖x − x'‖₁).

Both here on QM9's molecules with ≤ 7 heavy atoms (C, N, O, F; B3LYP), which is like QM7
(≤ 7 of C, N, O, S; PBE0) but not QM7; the target is the atomization energy without
zero-point energy (U0 − ZPVE, see featurize.datasets), the Coulomb matrix in atomic units
(positions in Bohr) as QM7 has it. Both recipes see the same fixed split: one held-out test
set for every training size, and γ and the ridge term λ chosen for each recipe by
cross-validation on its training molecules only. So a difference between the two curves
is the representation and the kernel, nothing else.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
from ase import Atoms
from ase.units import Bohr

from .cache import cache_directory, write_atomically
from .datasets import MoleculeSet, Progress, g2_set, qm9_set
from .descriptors import _coulomb_engine
from .errors import FeaturizeError
from .settings import RANDOM_SEED

# The first paper's point, marked on the learning curve for what it is: another data set
# (QM7), another level of theory (PBE0), about five times more training molecules.
PAPER_MAE_KCAL_PER_MOL = 9.9
PAPER_TRAINING_SIZE = 7000
PAPER_REFERENCE = "Rupp et al., PRL 108, 058301 (2012)"
PAPER_DATASET = "QM7: ≤ 7 of C, N, O, S; PBE0"
TARGET = "atomization energy without zero-point energy (U0 − ZPVE), kcal/mol"

LEARNING_CURVE_SIZES = (100, 200, 400, 800, 1500)  # training molecules
TEST_SIZE = 1000  # held-out QM9 molecules, the same for every training size and recipe
CV_FOLDS = 5
# λ, the ridge term added to the kernel's diagonal (scikit-learn's alpha; the kernel's own
# diagonal is 1). DFT energies carry little noise, so the smallest value mostly wins; below
# 1e-9 the solves lose digits to round-off (the kernel matrices are nearly singular) for no
# gain in error.
# Three decades apart: a finer grid changed no test error by more than a few tenths of a
# kcal/mol and cost each run half again as long.
ALPHA_GRID = (1e-9, 1e-6, 1e-3)
# γ of the Gaussian kernel, in 1/(atomic units)²: eigenvalue vectors lie ~23 apart
# (squared distance ~540); the cross-validated error is lowest between 1e-7 and 1e-5 and
# rises towards both ends of the grid.
GAUSSIAN_GAMMA_GRID = (1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4)
# γ of the Laplacian kernel, in 1/(atomic units), L1: sorted matrices lie ~360 apart; the
# error is flat (within 0.1 kcal/mol) from 1e-6 to 1e-4 and rises at 1e-3.
LAPLACIAN_GAMMA_GRID = (1e-6, 1e-5, 1e-4, 1e-3)
G2_TEST_FRACTION = 0.25  # G2 has 148 molecules: 111 to train on, 37 to test
_LEARNING_CURVE_FORMAT = 2  # 2: two recipes, atomic units, U0 − ZPVE
# The format is in the name too: a curve of another recipe is never read as this one's.
LEARNING_CURVE_FILE = f"learning_curve_v{_LEARNING_CURVE_FORMAT}.json"


@dataclass(frozen=True)
class Recipe:
    """A representation and a kernel, as one paper used them."""

    label: str  # what the slide, the legend and the readout call it
    permutation: str  # DScribe's CoulombMatrix permutation: the representation
    kernel: str  # scikit-learn's name for the kernel: "rbf" (Gaussian) or "laplacian"
    gammas: tuple[float, ...]
    alphas: tuple[float, ...]
    reference: str


RECIPES = MappingProxyType(
    {
        "rupp2012": Recipe(
            label="eigenvalues + Gaussian (Rupp 2012)",
            permutation="eigenspectrum",
            kernel="rbf",
            gammas=GAUSSIAN_GAMMA_GRID,
            alphas=ALPHA_GRID,
            reference="Rupp et al., PRL 108, 058301 (2012)",
        ),
        "hansen2013": Recipe(
            label="sorted matrix + Laplacian (Hansen 2013)",
            permutation="sorted_l2",
            kernel="laplacian",
            gammas=LAPLACIAN_GAMMA_GRID,
            alphas=ALPHA_GRID,
            reference="Hansen et al., J. Chem. Theory Comput. 9, 3404 (2013)",
        ),
    }
)


def recipe(key: str) -> Recipe:
    """The recipe called `key` ("rupp2012" or "hansen2013")."""
    if key not in RECIPES:
        raise FeaturizeError(f"Unknown recipe {key!r}; choose one of {', '.join(RECIPES)}.")
    return RECIPES[key]


def in_bohr(atoms: Atoms) -> Atoms:
    """A copy with positions in Bohr: DScribe's Coulomb matrix then comes in atomic units.

    (DScribe reads positions in Å; QM7 and both papers use 1/R with R in Bohr, which makes
    every off-diagonal entry 1/0.529 ≈ 1.89 times larger next to the same diagonal.)
    """
    converted = atoms.copy()
    converted.set_positions(atoms.get_positions() / Bohr)
    return converted


def coulomb_features(
    molecules: list, permutation: str, n_atoms_max: int | None = None
) -> np.ndarray:
    """Each molecule's Coulomb matrix in atomic units, one row per molecule.

    permutation "eigenspectrum": (n, n_atoms_max) eigenvalues, largest |λ| first;
    "sorted_l2": (n, n_atoms_max²) the matrix with rows and columns sorted by norm, flattened.
    Zero-padded to n_atoms_max atoms (default: the largest molecule), so all rows compare.
    """
    if not molecules:
        raise FeaturizeError("No molecules to featurize.")
    if permutation not in ("eigenspectrum", "sorted_l2"):
        raise FeaturizeError(
            f"The learning curve uses 'eigenspectrum' or 'sorted_l2', not {permutation!r}."
        )
    largest = max(len(atoms) for atoms in molecules)
    width = largest if n_atoms_max is None else int(n_atoms_max)
    if width < largest:
        raise FeaturizeError(f"A molecule has {largest} atoms; n_atoms_max={width} is too small.")
    engine = _coulomb_engine(width, permutation)
    values = engine.create([in_bohr(atoms) for atoms in molecules], n_jobs=1)
    return np.asarray(values).reshape(len(molecules), -1)


def split_indices(
    n_molecules: int, test_size: int, seed: int = RANDOM_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """(training pool, test set): a fixed random split; the pool is in random order.

    Training on pool[:N] makes every smaller training set part of every larger one.
    """
    if not 0 < test_size < n_molecules:
        raise FeaturizeError(f"Cannot hold out {test_size} of {n_molecules} molecules for testing.")
    order = np.random.default_rng(seed).permutation(n_molecules)
    return order[test_size:], order[:test_size]


def kernel_distances(kernel: str, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """d with k = exp(−γ d): ‖x − x'‖² for "rbf" (Gaussian), ‖x − x'‖₁ for "laplacian"."""
    from sklearn.metrics.pairwise import euclidean_distances, manhattan_distances

    if kernel == "rbf":
        return euclidean_distances(x, y, squared=True)
    if kernel == "laplacian":
        return manhattan_distances(x, y)
    raise FeaturizeError(f"Unknown kernel {kernel!r}; the recipes use 'rbf' or 'laplacian'.")


def krr_model(kernel: str, gamma: float, alpha: float):
    """Kernel ridge regression, fitted to energies minus their mean.

    ŷ(x) = ȳ + Σᵢ αᵢ k(x, xᵢ) with (α₁ … α_N) = (K + λI)⁻¹ (y − ȳ), λ = `alpha`: KernelRidge
    has no intercept, and centring the targets gives it one. (scikit-learn calls the ridge
    term alpha and the coefficients αᵢ dual_coef_.)
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(
        regressor=KernelRidge(kernel=kernel, gamma=gamma, alpha=alpha),
        transformer=StandardScaler(with_std=False),
    )


def choose_hyperparameters(
    features: np.ndarray,
    energies: np.ndarray,
    kernel: str,
    gammas: tuple[float, ...],
    alphas: tuple[float, ...],
    folds: int = CV_FOLDS,
    seed: int = RANDOM_SEED,
    progress: Progress | None = None,
) -> tuple[float, float, float]:
    """(γ, α, cross-validated MAE in kcal/mol) with the smallest k-fold MAE on these data.

    The distances are computed once and each γ's kernel exp(−γ d) is handed to KernelRidge
    as precomputed: the same model as KernelRidge(kernel=kernel) (a test checks), without
    recomputing distances for every (γ, α, fold).
    """
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import KFold

    x, y = np.asarray(features, dtype=float), np.asarray(energies, dtype=float)
    if len(x) < 2 * folds:
        raise FeaturizeError(f"Cross-validation with {folds} folds needs ≥ {2 * folds} molecules.")
    distances = kernel_distances(kernel, x)
    splits = list(KFold(folds, shuffle=True, random_state=seed).split(x))
    best = (np.inf, gammas[0], alphas[0])
    with warnings.catch_warnings():
        # the smallest α leave some kernel matrices nearly singular: scipy says so for
        # every solve; the cross-validated error is the judge of whether that matters
        warnings.filterwarnings("ignore", message="Ill-conditioned matrix")
        warnings.filterwarnings("ignore", message="An ill-conditioned matrix")
        for step, gamma in enumerate(gammas):
            kernel_matrix = np.exp(-gamma * distances)
            for alpha in alphas:
                errors = []
                for train, valid in splits:
                    offset = y[train].mean()
                    model = KernelRidge(kernel="precomputed", alpha=alpha)
                    model.fit(kernel_matrix[np.ix_(train, train)], y[train] - offset)
                    predicted = model.predict(kernel_matrix[np.ix_(valid, train)]) + offset
                    errors.append(np.mean(np.abs(predicted - y[valid])))
                if np.mean(errors) < best[0]:
                    best = (float(np.mean(errors)), gamma, alpha)
            if progress is not None:
                progress(step + 1, len(gammas))
    cv_mae, gamma, alpha = best
    return gamma, alpha, cv_mae


@dataclass(frozen=True, eq=False)
class RegressionRun:
    """One training run of one recipe: size, chosen hyper-parameters, errors (kcal/mol),
    and its predictions for the test molecules."""

    recipe: str
    n_train: int
    gamma: float
    alpha: float
    cv_mae: float
    test_mae: float
    predicted: np.ndarray
    reference: np.ndarray


def train_and_test(
    features: np.ndarray,
    energies: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    recipe_key: str,
    progress: Progress | None = None,
) -> RegressionRun:
    """Choose (γ, α) by cross-validation on the training rows, fit them all, test on test."""
    chosen = recipe(recipe_key)
    x, y = np.asarray(features, dtype=float), np.asarray(energies, dtype=float)
    train, test = np.asarray(train, dtype=int), np.asarray(test, dtype=int)
    if np.intersect1d(train, test).size:
        raise FeaturizeError("The training and test molecules overlap; keep them apart.")
    gamma, alpha, cv_mae = choose_hyperparameters(
        x[train], y[train], chosen.kernel, chosen.gammas, chosen.alphas, progress=progress
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Ill-conditioned matrix")
        warnings.filterwarnings("ignore", message="An ill-conditioned matrix")
        model = krr_model(chosen.kernel, gamma, alpha).fit(x[train], y[train])
    predicted = model.predict(x[test])
    return RegressionRun(
        recipe=recipe_key,
        n_train=len(train),
        gamma=gamma,
        alpha=alpha,
        cv_mae=cv_mae,
        test_mae=float(np.mean(np.abs(predicted - y[test]))),
        predicted=predicted,
        reference=y[test],
    )


@dataclass(frozen=True)
class RecipeCurve:
    """One recipe's learning curve (kcal/mol, one entry per training size) and its G2 error."""

    test_mae: tuple[float, ...]
    cv_mae: tuple[float, ...]
    gamma: tuple[float, ...]
    alpha: tuple[float, ...]
    g2_test_mae: float


@dataclass(frozen=True)
class LearningCurve:
    """Test MAE (kcal/mol) against training size for every recipe, and the G2 contrast."""

    dataset: str
    n_test: int
    sizes: tuple[int, ...]
    curves: Mapping[str, RecipeCurve]  # recipe key → its curve
    g2_n_train: int
    g2_n_test: int
    settings: Mapping[str, object]  # what the numbers depend on: see learning_curve_settings

    def to_json(self) -> str:
        return json.dumps({"format": _LEARNING_CURVE_FORMAT, **asdict(self)}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> LearningCurve:
        fields = json.loads(text)
        if fields.pop("format", None) != _LEARNING_CURVE_FORMAT:
            raise FeaturizeError("The learning-curve file is from another version; recompute.")
        curves = {
            key: RecipeCurve(**{k: tuple(v) if isinstance(v, list) else v for k, v in c.items()})
            for key, c in fields.pop("curves").items()
        }
        return cls(curves=curves, sizes=tuple(fields.pop("sizes")), **fields)


def learning_curve_settings(sizes: tuple[int, ...] = LEARNING_CURVE_SIZES) -> dict:
    """Everything a stored curve's numbers depend on; a stored curve is used only if its
    settings equal these (another recipe, grid, split or target means: compute again)."""
    settings = {
        "sizes": list(sizes),
        "test_size": TEST_SIZE,
        "seed": RANDOM_SEED,
        "cv_folds": CV_FOLDS,
        "target": TARGET,
        "units": "atomic (Bohr)",
        "recipes": {key: asdict(value) for key, value in RECIPES.items()},
        "g2_test_fraction": G2_TEST_FRACTION,
    }
    return json.loads(json.dumps(settings))  # as JSON gives it back: lists, not tuples


class Qm9Regression:
    """QM9 (≤ 7 heavy atoms): both recipes' features, the energies and the fixed split."""

    def __init__(self, dataset: MoleculeSet | None = None, test_size: int = TEST_SIZE) -> None:
        self.dataset = qm9_set() if dataset is None else dataset
        molecules = list(self.dataset.molecules)
        self.features = {
            key: coulomb_features(molecules, value.permutation) for key, value in RECIPES.items()
        }
        self.energies = self.dataset.atomization_energy
        self.pool, self.test = split_indices(len(self.dataset), test_size)

    @property
    def max_train(self) -> int:
        return len(self.pool)

    def run(self, n_train: int, recipe_key: str, progress: Progress | None = None) -> RegressionRun:
        """Train one recipe on the first n_train molecules of the pool, test on the test set."""
        recipe(recipe_key)
        if not 2 * CV_FOLDS <= n_train <= self.max_train:
            raise FeaturizeError(
                f"Choose between {2 * CV_FOLDS} and {self.max_train} training molecules, "
                f"not {n_train}."
            )
        return train_and_test(
            self.features[recipe_key],
            self.energies,
            self.pool[:n_train],
            self.test,
            recipe_key,
            progress,
        )


def g2_contrast(recipe_key: str, progress: Progress | None = None) -> RegressionRun:
    """The same recipe on G2's 148 molecules: experiment, but very few data."""
    g2 = g2_set()
    features = coulomb_features(list(g2.molecules), recipe(recipe_key).permutation)
    pool, test = split_indices(len(g2), round(G2_TEST_FRACTION * len(g2)))
    return train_and_test(features, g2.atomization_energy, pool, test, recipe_key, progress)


def learning_curve(
    sizes: tuple[int, ...] = LEARNING_CURVE_SIZES,
    progress: Progress | None = None,
    regression: Qm9Regression | None = None,
    done: Mapping[tuple[str, int], RegressionRun] | None = None,
) -> LearningCurve:
    """Test MAE of every recipe at each training size (and the G2 contrast).

    done: runs already trained on this regression's split, by (recipe, size): not trained
    again. progress(done, total) in thousandths of the expected work: a run costs ~N².
    """
    regression = regression or Qm9Regression()
    jobs = [(key, size) for size in sizes for key in RECIPES]
    cost = np.array([size**2 for _key, size in jobs], dtype=float)
    finished = np.concatenate([[0.0], np.cumsum(cost)]) / cost.sum()

    def report(step: int, fraction: float) -> None:
        if progress is not None:
            share = finished[step] + fraction * (finished[step + 1] - finished[step])
            progress(round(1000 * share), 1000)

    runs: dict[tuple[str, int], RegressionRun] = {}
    for step, (key, size) in enumerate(jobs):
        runs[key, size] = (done or {}).get((key, size)) or regression.run(
            size, key, lambda done_, total, step=step: report(step, done_ / total)
        )
        report(step, 1.0)
    curves = {}
    g2_sizes = (0, 0)
    for key in RECIPES:
        g2 = g2_contrast(key)  # a fraction of a second: 111 molecules
        g2_sizes = (g2.n_train, len(g2.reference))
        ordered = [runs[key, size] for size in sizes]
        curves[key] = RecipeCurve(
            test_mae=tuple(run.test_mae for run in ordered),
            cv_mae=tuple(run.cv_mae for run in ordered),
            gamma=tuple(run.gamma for run in ordered),
            alpha=tuple(run.alpha for run in ordered),
            g2_test_mae=g2.test_mae,
        )
    return LearningCurve(
        dataset=regression.dataset.label,
        n_test=len(regression.test),
        sizes=tuple(int(size) for size in sizes),
        curves=curves,
        g2_n_train=g2_sizes[0],
        g2_n_test=g2_sizes[1],
        settings=learning_curve_settings(tuple(sizes)),
    )


def learning_curve_path(cache_dir: Path | None = None) -> Path:
    return (cache_dir or cache_directory()) / LEARNING_CURVE_FILE


def stored_learning_curve(cache_dir: Path | None = None) -> LearningCurve | None:
    """The learning curve `make data` wrote, or None if there is none for these settings."""
    path = learning_curve_path(cache_dir)
    if not path.is_file():
        return None
    try:
        curve = LearningCurve.from_json(path.read_text())
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # unreadable: recompute
        return None
    current = learning_curve_settings()
    return curve if curve.settings == current and set(curve.curves) == set(RECIPES) else None


def save_learning_curve(curve: LearningCurve, cache_dir: Path | None = None) -> Path:
    """Write the curve where stored_learning_curve looks; a read-only cache only warns."""
    path = learning_curve_path(cache_dir)
    write_atomically(path, curve.to_json().encode())
    return path
