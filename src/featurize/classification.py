"""Classify an element's crystal structure (fcc, bcc or hcp) from properties of its atom.

Labels are ASE's reference states (``ase.data.reference_states[Z]["symmetry"]``), kept
for the 61 elements whose state is fcc, bcc or hcp. Features come from mendeleev's
element tables (offline: the tables ship inside the package). Models are scikit-learn's.
scikit-learn, mendeleev and ASE are imported on first use: a demo kernel that never
classifies does not pay for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np

from .errors import FeaturizeError
from .settings import RANDOM_SEED

# The three labels, in the order every confusion matrix uses.
CRYSTAL_STRUCTURES = ("fcc", "bcc", "hcp")

# What the models see: name → what it is, with units. Nine are properties of the atom; the
# melting point is a property of the solid, and so already depends on the structure the
# element takes (the slides say "nine atomic properties and the melting point"). None is
# measured on the lattice itself. The depth-3 tree of the demo never asks about the melting
# point (a test checks); deeper trees and the forest may.
FEATURES = MappingProxyType(
    {
        "atomic_number": "atomic number Z",
        "group": "group 1–18 (the f-block counted as group 3, where La–Lu and Ac–Lr sit)",
        "period": "period 1–7",
        "valence_electrons": "valence electrons (mendeleev's count for the element's block)",
        "d_electrons": "electrons in the (period − 1) d shell",
        "electronegativity": "Pauling electronegativity",
        "covalent_radius": "single-bond covalent radius (Pyykkö), pm",
        "ionization_energy": "first ionization energy, eV",
        "polarizability": "static dipole polarizability, a.u.",
        "melting_point": "melting point, K",
    }
)

# What the models must not see, and why: each either is the label or is measured on the
# crystal itself, so its value already depends on which structure the element takes.
LEFT_OUT = MappingProxyType(
    {
        "lattice_structure": "it is the label",
        "lattice_constant": "measured on the crystal; its meaning (a, or a and c) depends on the structure",
        "metallic_radius / metallic_radius_c12": "half the nearest-neighbour distance in the metal; "
        "the c12 value is corrected to 12 neighbours using the structure's own coordination",
        "density": "mass per unit-cell volume: it carries the packing fraction (0.74 fcc/hcp, 0.68 bcc)",
        "atomic_radius": "Slater's empirical radii are fitted to interatomic distances in crystals, "
        "the elements' own among them",
        "mendeleev_number / pettifor_number": "orderings chosen so that structure maps separate "
        "crystal structures: the answer is built into the scale",
    }
)
# How a missing value is filled: group by the rule above; electronegativity (no Pauling
# value for Ne, Ar, Kr, Eu, Tb, Yb) by the median of the training elements only, so that
# nothing about the test elements reaches the model.
IMPUTATION = "median of the training set (scikit-learn SimpleImputer)"

MODELS = ("tree", "forest", "knn")
MODEL_NAMES = MappingProxyType(
    {"tree": "decision tree", "forest": "random forest", "knn": "k-nearest neighbours"}
)
TEST_FRACTION = 0.25  # of the 61 elements: 16 held out, stratified by structure
SPLIT_SEED = RANDOM_SEED
DEFAULT_DEPTH = 3  # the best mean accuracy in 5-fold cross-validation on the training set
MAX_DEPTH = 8  # deeper trees change nothing: at depth 6 every training element is right
FOREST_TREES = 100
DEFAULT_NEIGHBOURS = 5  # scikit-learn's default k


@dataclass(frozen=True)
class ElementTable:
    """The labelled elements: one row of `features` per symbol, columns as in FEATURES."""

    symbols: tuple[str, ...]
    features: np.ndarray  # (n_elements, n_features), NaN where a value is missing
    labels: np.ndarray  # (n_elements,), one of CRYSTAL_STRUCTURES
    blocks: np.ndarray  # (n_elements,), "s", "p", "d" or "f": not a feature, for comparison
    feature_names: tuple[str, ...] = tuple(FEATURES)


@dataclass(frozen=True)
class Split:
    """Indices into an ElementTable: the training and the held-out test elements."""

    train: np.ndarray
    test: np.ndarray


@dataclass(frozen=True)
class ClassifierResult:
    """A fitted model, its accuracies (fractions 0–1) and its test confusion matrix."""

    model_name: str
    model: Any  # the fitted scikit-learn Pipeline
    train_accuracy: float
    test_accuracy: float
    confusion: np.ndarray  # rows: true structure, columns: predicted, order CRYSTAL_STRUCTURES
    test_predictions: np.ndarray
    split: Split


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)  # the table is cached and shared: nobody may change it
    return array


@lru_cache(maxsize=1)
def element_table() -> ElementTable:
    """The fcc/bcc/hcp elements with their FEATURES (NaN where mendeleev has no value)."""
    from ase.data import chemical_symbols, reference_states
    from mendeleev.econf import ElectronicConfiguration
    from mendeleev.fetch import fetch_table

    numbers = [
        z
        for z, state in enumerate(reference_states)
        if state and state.get("symmetry") in CRYSTAL_STRUCTURES
    ]
    elements = fetch_table("elements").set_index("atomic_number").loc[numbers]
    # An element with several allotropes has a melting point for each (Se: vitreous 453 K,
    # grey 494 K); the highest is the stable crystal's.
    melting = fetch_table("phasetransitions").groupby("atomic_number")["melting_point"].max()
    ionization = fetch_table("ionizationenergies")
    first_ionization = ionization[ionization["ion_charge"] == 0].set_index("atomic_number")
    configurations = [ElectronicConfiguration(c) for c in elements["electronic_configuration"]]
    periods = elements["period"].to_numpy(dtype=int)
    blocks = elements["block"].to_numpy()
    columns = {
        "atomic_number": np.array(numbers, dtype=float),
        "group": np.where(blocks == "f", 3.0, elements["group_id"].to_numpy(dtype=float)),
        "period": periods.astype(float),
        "valence_electrons": [
            c.nvalence(block, period)
            for c, block, period in zip(configurations, blocks, periods, strict=True)
        ],
        "d_electrons": [
            c.conf.get((period - 1, "d"), 0)
            for c, period in zip(configurations, periods, strict=True)
        ],
        "electronegativity": elements["en_pauling"].to_numpy(dtype=float),
        "covalent_radius": elements["covalent_radius_pyykko"].to_numpy(dtype=float),
        "ionization_energy": first_ionization.loc[numbers, "ionization_energy"].to_numpy(float),
        "polarizability": elements["dipole_polarizability"].to_numpy(dtype=float),
        "melting_point": melting.loc[numbers].to_numpy(dtype=float),
    }
    features = np.column_stack([np.asarray(columns[name], dtype=float) for name in FEATURES])
    labels = np.array([reference_states[z]["symmetry"] for z in numbers])
    return ElementTable(
        symbols=tuple(chemical_symbols[z] for z in numbers),
        features=_read_only(features),
        labels=_read_only(labels),
        blocks=_read_only(blocks.astype(str)),
    )


def stratified_split(
    table: ElementTable, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> Split:
    """A fixed train/test split with each structure's share the same on both sides."""
    from sklearn.model_selection import train_test_split

    if not 0 < test_fraction < 1:
        raise FeaturizeError(f"The test fraction must lie between 0 and 1, not {test_fraction!r}.")
    train, test = train_test_split(
        np.arange(len(table.labels)),
        test_size=test_fraction,
        stratify=table.labels,
        random_state=seed,
    )
    return Split(train=np.sort(train), test=np.sort(test))


def make_classifier(
    model_name: str = "tree",
    depth: int | None = DEFAULT_DEPTH,
    neighbours: int = DEFAULT_NEIGHBOURS,
    seed: int = RANDOM_SEED,
):
    """An unfitted scikit-learn pipeline: impute missing values, then the model.

    depth limits the tree (and each tree of the forest; None = unlimited); neighbours is
    k for k-nearest neighbours, which alone needs scaling: it measures distances, and
    unscaled a melting point in K would drown an electronegativity.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    if model_name not in MODELS:
        raise FeaturizeError(f"Unknown model {model_name!r}: choose one of {', '.join(MODELS)}.")
    if depth is not None and (int(depth) != depth or depth < 1):
        raise FeaturizeError(f"The depth must be a whole number ≥ 1 (or None), not {depth!r}.")
    if int(neighbours) != neighbours or neighbours < 1:
        raise FeaturizeError(f"k must be a whole number ≥ 1, not {neighbours!r}.")
    impute = SimpleImputer(strategy="median")
    if model_name == "tree":
        return make_pipeline(impute, DecisionTreeClassifier(max_depth=depth, random_state=seed))
    if model_name == "forest":
        return make_pipeline(
            impute,
            RandomForestClassifier(n_estimators=FOREST_TREES, max_depth=depth, random_state=seed),
        )
    return make_pipeline(impute, StandardScaler(), KNeighborsClassifier(n_neighbors=neighbours))


def train_classifier(
    model_name: str = "tree",
    depth: int | None = DEFAULT_DEPTH,
    neighbours: int = DEFAULT_NEIGHBOURS,
    table: ElementTable | None = None,
    split: Split | None = None,
) -> ClassifierResult:
    """Fit a model on the training elements; score it on both sides of the split."""
    from sklearn.metrics import confusion_matrix

    table = element_table() if table is None else table
    split = stratified_split(table) if split is None else split
    if model_name == "knn" and neighbours > len(split.train):
        raise FeaturizeError(
            f"k = {neighbours} is more neighbours than the {len(split.train)} training elements."
        )
    model = make_classifier(model_name, depth, neighbours)
    x, y = table.features, table.labels
    model.fit(x[split.train], y[split.train])
    predicted = model.predict(x[split.test])
    return ClassifierResult(
        model_name=model_name,
        model=model,
        train_accuracy=float(model.score(x[split.train], y[split.train])),
        test_accuracy=float(np.mean(predicted == y[split.test])),
        confusion=confusion_matrix(y[split.test], predicted, labels=list(CRYSTAL_STRUCTURES)),
        test_predictions=predicted,
        split=split,
    )


def majority_baseline(
    table: ElementTable | None = None, split: Split | None = None
) -> tuple[str, float, float]:
    """The structure most common among the training elements, and the (train, test)
    accuracy of always guessing it: the score any model must beat."""
    table = element_table() if table is None else table
    split = stratified_split(table) if split is None else split
    train_labels, test_labels = table.labels[split.train], table.labels[split.test]
    values, counts = np.unique(train_labels, return_counts=True)
    majority = str(values[np.argmax(counts)])
    return (
        majority,
        float(np.mean(train_labels == majority)),
        float(np.mean(test_labels == majority)),
    )


def tree_depth(result: ClassifierResult) -> int:
    """How deep the fitted decision tree actually grew (≤ the depth asked for)."""
    if result.model_name != "tree":
        raise FeaturizeError("Only a decision tree has one depth; this model is not a tree.")
    return int(result.model[-1].get_depth())


@dataclass(frozen=True)
class TreeNode:
    """One node of a fitted tree, placed for drawing: x in leaf widths, y = −depth."""

    index: int
    parent: int  # −1 for the root
    x: float
    y: float
    text: str  # the test at a split ("group ≤ 7.5"), the majority structure at a leaf
    samples: int
    counts: tuple[int, ...]  # training elements per structure, in the model's class order
    is_leaf: bool


def tree_nodes(
    result: ClassifierResult, feature_names: tuple[str, ...] = tuple(FEATURES), which: int = 0
) -> list[TreeNode]:
    """The fitted decision tree (for a forest: its tree number `which`) as a list of placed
    nodes: leaves side by side, each parent centred over its children."""
    if result.model_name == "forest":
        estimator = result.model[-1].estimators_[which]
    elif result.model_name == "tree":
        estimator = result.model[-1]
    else:
        raise FeaturizeError("Only a tree or a forest can be drawn; this model is not a tree.")
    structure = estimator.tree_
    # a forest's trees number the classes 0, 1, 2; the forest holds their names
    classes = [str(c) for c in result.model[-1].classes_]
    left, right = structure.children_left, structure.children_right
    positions: dict[int, tuple[float, float]] = {}
    parents = {0: -1}
    next_leaf = 0.0

    def place(node: int, depth: int) -> float:
        nonlocal next_leaf
        if left[node] == -1:  # a leaf: the next free slot
            x = next_leaf
            next_leaf += 1
        else:
            parents[left[node]] = parents[right[node]] = node
            x = (place(left[node], depth + 1) + place(right[node], depth + 1)) / 2
        positions[node] = (x, -depth)
        return x

    place(0, 0)
    nodes = []
    for node in range(structure.node_count):
        # value holds class fractions (scikit-learn ≥ 1.4) or counts; samples × fraction
        # gives counts either way once normalised
        fractions = structure.value[node][0] / structure.value[node][0].sum()
        samples = int(structure.n_node_samples[node])
        counts = tuple(round(float(f) * samples) for f in fractions)
        is_leaf = bool(left[node] == -1)
        text = (
            classes[int(np.argmax(fractions))]
            if is_leaf
            else f"{feature_names[structure.feature[node]]} ≤ {structure.threshold[node]:.3g}"
        )
        nodes.append(
            TreeNode(node, int(parents[node]), *positions[node], text, samples, counts, is_leaf)
        )
    return nodes


def tree_text(result: ClassifierResult, feature_names: tuple[str, ...] = tuple(FEATURES)) -> str:
    """The fitted decision tree as indented text (scikit-learn's export_text)."""
    from sklearn.tree import export_text

    if result.model_name != "tree":
        raise FeaturizeError("Only a decision tree can be printed; this model is not a tree.")
    return export_text(result.model[-1], feature_names=list(feature_names))
