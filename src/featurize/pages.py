"""What each demo page asks, and where it sends its reader: a question and two links.

Every demo page (notebooks/demos/) ends with a "predict, then check" question, answered
in the kernel against the engines, and links back to the list of demos and to its
section of the lecture. The lecture's sections are named here once, by their heading; the
link's anchor is made from the heading the way Voila (nbconvert) makes a heading's id.
Pure compute: the widget that asks the question is featurize.panels.question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

import numpy as np

from .errors import FeaturizeError
from .settings import RANDOM_SEED

# Relative to a page in notebooks/demos/: Voila renders the lecture at ../lecture.ipynb, and
# JupyterLab opens it from there; ../ is the folder that holds the demos (Voila's landing
# page, which the deck's page template reaches for a link to a folder).
LECTURE_PATH = "../lecture.ipynb"
DEMO_LIST_PATH = "../"

# The lecture heading each demo page belongs to, exactly as notebooks/lecture.ipynb writes
# it (tests/test_pages.py checks that every one is there).
LECTURE_SECTIONS = {
    "materials-map": '3. The "hypermaterial space" ansatz',
    "fingerprints": "5. Fingerprints",
    "coordinates": "7. A dummy descriptor: raw coordinates",
    "coulomb-matrix": "8. The Coulomb matrix",
    "soap": "9. SOAP: smooth overlap of atomic positions",
    "overfitting": "Underfitting and overfitting",
    "clustering": "11. Clustering",
    "mixture": "Several Gaussians at once: expectation–maximization",
    "likelihood": "Maximum likelihood by hand",
    "classification": "12. Classification",
    "learning-curve": "13. Regression",
    "neural-network": "14. Neural networks",
    "potential": "15. Where we are going: foundation models for materials",
}

# Markdown's inline marks, which a heading's id leaves out: *emphasis*, `code`, [links](…)
_INLINE_MARKS = re.compile(r"(\*\*|__|\*|_|`)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def heading_anchor(heading: str) -> str:
    """The id Voila gives a Markdown heading: its text, spaces as hyphens, and characters
    a URL fragment may not hold percent-encoded (nbconvert's rule; "8. The Coulomb matrix"
    → "8.-The-Coulomb-matrix")."""
    text = heading.strip().lstrip("#").strip()
    text = _INLINE_MARKS.sub("", _LINK.sub(r"\1", text))
    if not text:
        raise FeaturizeError(f"{heading!r} has no text to make an anchor from.")
    return quote(text.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


def lecture_link(page: str) -> str:
    """The link from demo page `page` to its section of the lecture."""
    if page not in LECTURE_SECTIONS:
        raise FeaturizeError(
            f"No demo page is called {page!r}; the pages are {', '.join(sorted(LECTURE_SECTIONS))}."
        )
    return f"{LECTURE_PATH}#{heading_anchor(LECTURE_SECTIONS[page])}"


# -- the questions -------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """correct is None when there was no answer to judge (nothing chosen, not a number)."""

    correct: bool | None
    message: str


@dataclass(frozen=True)
class Question:
    """A "predict, then check" question. With `choices`, the answer is the index of the
    right choice; without, a number, right within `tolerance`. `solve` computes the answer
    with the engines (on first use: a page pays nothing until someone checks), `explain`
    says why, given it."""

    prompt: str
    solve: Callable[[], float]
    explain: Callable[[float], str]
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    unit: str = ""

    def answer(self) -> float:
        return _solved(self)

    def judge(self, given: int | float | str | None) -> Verdict:
        """The verdict on an answer: a choice's index, or a number (text is read as one)."""
        if given is None or (isinstance(given, str) and not given.strip()):
            what = "Choose an answer" if self.choices else "Type a number"
            return Verdict(None, f"{what} first, then press Check.")
        if self.choices:
            if not isinstance(given, (int, np.integer)) or not 0 <= given < len(self.choices):
                return Verdict(None, f"Choose one of the {len(self.choices)} answers.")
            right = int(self.answer())
            explanation = self.explain(right)
            if given == right:
                return Verdict(True, f"Right. {explanation}")
            return Verdict(
                False, f"Not this one: the answer is “{self.choices[right]}”. {explanation}"
            )
        try:
            value = float(str(given).strip().replace(",", "."))
        except ValueError:
            return Verdict(None, f"{str(given).strip()!r} is not a number: type one, such as 0.5.")
        if not math.isfinite(value):
            return Verdict(None, f"{value} is not a number you can measure: type a finite one.")
        right = self.answer()
        explanation = self.explain(right)
        if abs(value - right) <= self.tolerance:
            return Verdict(True, f"Right: {_number(right)}{self.unit}. {explanation}")
        side = "high" if value > right else "low"
        return Verdict(
            False,
            f"Your {_number(value)}{self.unit} is too {side}: the engines give {_number(right)}"
            f"{self.unit}. {explanation}",
        )


@cache
def _solved(question: Question) -> float:
    return question.solve()


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _water():
    from .molecules import molecule

    return molecule("H2O")


def _coordinates_changed() -> float:
    from .structure import coordinates, permute

    water = _water()
    change = coordinates(permute(water, [0, 2, 1])) - coordinates(water)
    return float(np.count_nonzero(np.abs(change) > 1e-9))


def _coulomb_corner() -> float:
    from .descriptors import coulomb_matrix
    from .structure import permute

    return float(coulomb_matrix(permute(_water(), [1, 0, 2]))[0, 0])


def _soap_change() -> float:
    from .descriptors import soap
    from .structure import permute, rotate

    water = _water()
    moved = permute(rotate(water, (0, 0, 90)), [1, 0, 2])
    relative = np.linalg.norm(soap(moved) - soap(water)) / np.linalg.norm(soap(water))
    return 0.0 if relative < 1e-8 else 1.0 if relative < 0.1 else 2.0


def _tanimoto() -> float:
    from .fingerprints import morgan_fingerprint, tanimoto

    return tanimoto(morgan_fingerprint("CCO"), morgan_fingerprint("CC(=O)O"))


def _where_the_maximum_is() -> float:
    from .likelihood import gaussian_mle, sample_data
    from .settings import SAMPLE_MEAN, SAMPLE_STD

    mu, sigma = gaussian_mle(sample_data())
    return 0.0 if (round(mu, 2), round(sigma, 2)) == (SAMPLE_MEAN, SAMPLE_STD) else 1.0


def _em_steps():
    from .clustering import em_steps, mixture_sample

    return em_steps(mixture_sample())


def _em_can_go_down() -> float:
    changes = np.diff([step.log_likelihood for step in _em_steps()])
    return 0.0 if np.any(changes < -1e-9) else 1.0


def _kmeans_agreement() -> float:
    from .clustering import agreement, cluster_points, element_property_map

    elements = element_property_map()
    return agreement(elements.labels, cluster_points(elements.points, "k-means", 4))


def _depth_that_learns_everything() -> float:
    from .classification import MAX_DEPTH, train_classifier

    for depth in range(1, MAX_DEPTH + 1):
        if train_classifier("tree", depth).train_accuracy == 1:
            return float(depth)
    raise FeaturizeError("No tree up to the demo's largest depth learns every element.")


def _held_out_error(degree: int) -> float:
    from .fitting import fit_polynomial

    return fit_polynomial(degree).test_rmse


def _high_degree() -> float:
    low, high = _held_out_error(2), _held_out_error(9)
    return 2.0 if high > 1.1 * low else 0.0 if high < 0.9 * low else 1.0


def _too_large_a_step() -> float:
    from .fitting import LEARNING_RATE_RANGE, train_network

    try:
        for _ in train_network(learning_rate=LEARNING_RATE_RANGE[1]):
            pass
    except FeaturizeError:
        return 2.0
    return 0.0


def _learning_curve():
    from .regression import learning_curve, save_learning_curve, stored_learning_curve

    curve = stored_learning_curve()
    if curve is None:  # what the learning-curve panel computes and keeps, once
        curve = learning_curve()
        save_learning_curve(curve)
    return curve


def _error_per_doubling(recipe_key: str) -> float:
    """The factor by which a doubling of the training set multiplies this recipe's test
    error: 2 to the power of the log–log slope, fitted over the whole curve."""
    curve = _learning_curve()
    slope = np.polyfit(np.log(curve.sizes), np.log(curve.curves[recipe_key].test_mae), 1)[0]
    return 2.0**slope


# The question asks about the sorted matrix (Hansen 2013), whose curve is the straight line;
# the eigenvalues' flatter curve (Rupp 2012) is what the explanation contrasts it with.
_ASKED_RECIPE, _CONTRAST_RECIPE = "hansen2013", "rupp2012"


def _doubling() -> float:
    factor = _error_per_doubling(_ASKED_RECIPE)
    return 0.0 if factor < 0.6 else 1.0 if factor < 0.95 else 2.0


def _explain_doubling(_answer: float) -> str:
    from .regression import PAPER_MAE_KCAL_PER_MOL, PAPER_TRAINING_SIZE

    asked, contrast = _error_per_doubling(_ASKED_RECIPE), _error_per_doubling(_CONTRAST_RECIPE)
    return (
        f"Each doubling multiplies the sorted matrix's error by about {asked:.2f}: a straight "
        f"line on the log–log plot, data bought at a steady exchange rate. The eigenvalues "
        f"(Rupp 2012) gain less, × {contrast:.2f} per doubling: a few dozen numbers per molecule "
        "say less than the whole matrix, so their curve flattens sooner. Rupp et al.'s "
        f"{PAPER_MAE_KCAL_PER_MOL} kcal/mol took about {PAPER_TRAINING_SIZE} molecules of "
        "another set (QM7): compare slopes, not that point."
    )


def _neighbour_ratio() -> float:
    """Mean |ΔE| between each QM9 molecule and its 5 neighbours on the map, over that
    between random pairs."""
    from sklearn.neighbors import NearestNeighbors

    from .datasets import qm9_set
    from .maps import materials_map

    data = qm9_set()
    points, energy = materials_map(data), data.atomization_energy
    _, neighbours = NearestNeighbors(n_neighbors=6).fit(points).kneighbors(points)
    near = np.mean(np.abs(energy[neighbours[:, 1:]] - energy[:, None]))
    shuffled = energy[np.random.default_rng(RANDOM_SEED).permutation(len(energy))]
    return float(near / np.mean(np.abs(shuffled - energy)))


def _map_neighbours() -> float:
    ratio = _neighbour_ratio()
    return 0.0 if ratio > 0.7 else 1.0


def _potential_turn() -> float:
    from .potential import energy_and_forces, potential_available
    from .structure import rotate, rotation_matrix

    if not potential_available():
        return 1.0  # a scalar and a vector field: what the installed model shows, too
    water = _water()
    angles = (0, 0, 90)
    energy, forces = energy_and_forces(water)
    energy_turned, forces_turned = energy_and_forces(rotate(water, angles))
    energy_same = abs(energy_turned - energy) < 1e-4
    forces_turn = np.allclose(forces_turned, forces @ rotation_matrix(angles).T, atol=1e-4)
    return 1.0 if energy_same and forces_turn else 0.0 if energy_same else 2.0


def _explain_map(_answer: float) -> str:
    ratio = _neighbour_ratio()
    return (
        f"Neighbours on the map differ in atomization energy by {ratio:.0%} of what two "
        "molecules picked at random do: the descriptor puts alike molecules together, which "
        "is what lets a model learn a smooth function of it. Much of that likeness is size: "
        "the energy grows with the number of atoms (colour by it, or by energy per atom)."
    )


QUESTIONS: dict[str, Question] = {
    "coordinates": Question(
        "Predict: choose the atom order O0-H2-H1 (the two hydrogens swapped). How many of "
        "the 9 numbers in the heatmap change?",
        _coordinates_changed,
        lambda n: (
            f"Rows 1 and 2 trade places, but the two hydrogens share x and z (water is "
            f"symmetric), so only {n:.0f} numbers, their y coordinates, change. Same molecule, "
            "different numbers: that is why raw coordinates are a poor descriptor."
        ),
    ),
    "coulomb-matrix": Question(
        "Predict: with the variant 'as ordered', choose the atom order H1-O0-H2. What number "
        "will the top-left corner of the matrix show?",
        _coulomb_corner,
        lambda value: (
            f"The corner is now hydrogen's self-energy, 0.5·1^2.4 = {value:.1f}; oxygen's 73.5 "
            "moved to the middle. Switch to 'rows sorted by norm': oxygen's row comes first "
            "again, whatever the order of the atoms."
        ),
        tolerance=0.05,
    ),
    "soap": Question(
        "Predict: turn water 90° about z and put a hydrogen first (order H1-O0-H2). What will "
        "‖D − D₀‖ under the heatmap say?",
        _soap_change,
        lambda _: (
            "SOAP describes each atom's neighbourhood by a density that does not care which "
            "way the molecule points or how its atoms are numbered: the 220 numbers stay the "
            "same up to rounding, about 1e-15 for water and a few times 1e-12 for a crystal, "
            "whose vector is longer (relative to its length, about 1e-15 for both)."
        ),
        choices=(
            "0, up to rounding: unchanged",
            "small, but clearly more than 0",
            "about as large as the vector itself",
        ),
    ),
    "fingerprints": Question(
        "Predict: how similar are ethanol (CCO) and acetic acid (CC(=O)O)? Guess their "
        "Tanimoto similarity (0 to 1), then compare the two in the panel.",
        _tanimoto,
        lambda value: (
            f"Tanimoto = bits on in both / bits on in either = {value:.2f}: they share few of "
            "their on-bits, the CH3–C end being all they have in common at radius 2."
        ),
        tolerance=0.1,
    ),
    "likelihood": Question(
        "Predict, before you move the sliders: the 30 numbers were drawn from N(5, 1.2²). "
        "Where is the likelihood highest?",
        _where_the_maximum_is,
        lambda _: _explain_maximum(),
        choices=(
            "exactly at μ = 5, σ = 1.2",
            "near it: at the mean and the spread of these 30 numbers",
            "nowhere in particular: it keeps rising as σ shrinks",
        ),
    ),
    "mixture": Question(
        "Predict: press 'Next EM step' again and again. Can the log-likelihood ever go down "
        "from one step to the next?",
        _em_can_go_down,
        lambda _: _explain_em(),
        choices=("yes, EM sometimes steps back", "no, each step raises it or leaves it"),
    ),
    "clustering": Question(
        "Predict: with k-means and 4 clusters, will the clusters be the four blocks of the "
        "periodic table (s, p, d, f)?",
        lambda: 0.0 if _kmeans_agreement() > 0.95 else 1.0 if _kmeans_agreement() > 0.1 else 2.0,
        lambda _: (
            f"The agreement (adjusted Rand index) is {_kmeans_agreement():.2f}: 1 would be the "
            "blocks exactly, 0 chance. The atoms' properties carry the block in part, but the "
            "groups k-means draws follow the shape of the cloud, not chemistry."
        ),
        choices=(
            "yes, exactly the blocks",
            "partly: better than chance, far from exact",
            "no better than chance",
        ),
    ),
    "classification": Question(
        "Predict: as you deepen the tree, at which depth does it get every one of its 45 "
        "training elements right?",
        _depth_that_learns_everything,
        lambda depth: _explain_depth(int(depth)),
    ),
    "overfitting": Question(
        "Predict: raise the degree from 2 to 9. The error on the training metals falls. What "
        "does the error on the held-out metals do?",
        _high_degree,
        lambda _: (
            f"It rises, from {_held_out_error(2):.0f} K at degree 2 to {_held_out_error(9):.0f} K "
            "at degree 9: the extra powers bend the curve through the training points' noise, "
            "and it misses the metals it never saw. The training error only falls; the held-out "
            "error is lowest at degree 2 to 3, Friedel's parabola across each row."
        ),
        choices=("it falls too", "it stays about the same", "it rises"),
    ),
    "neural-network": Question(
        "Predict: set the learning rate to its largest value, 1, and train. What does the loss do?",
        _too_large_a_step,
        lambda _: (
            "Each step overshoots the bottom of the valley by more than the last, and the "
            "loss runs off to infinity: the training diverges. Too small a step fails the other "
            "way, barely moving in 1000 epochs: a good rate lies between."
        ),
        choices=(
            "it falls faster than at 0.1",
            "it falls, but more slowly",
            "it climbs and runs off to infinity",
        ),
    ),
    "learning-curve": Question(
        "Predict: each time the number of training molecules doubles, what does the test error "
        "of the sorted matrix + Laplacian (Hansen 2013) do?",
        _doubling,
        _explain_doubling,
        choices=(
            "it halves",
            "it falls by about a quarter, the same fraction every time",
            "it stops falling after a few hundred molecules",
        ),
    ),
    "materials-map": Question(
        "Predict: colour the QM9 map by atomization energy. Do neighbours on the map have "
        "similar energies?",
        _map_neighbours,
        _explain_map,
        choices=(
            "no: about as different as two molecules picked at random",
            "yes: much more alike than random pairs",
        ),
    ),
    "potential": Question(
        "Predict: turn water 90° about z. What happens to the energy and to the forces?",
        _potential_turn,
        lambda _: (
            "The energy is one number that cannot depend on which way the molecule points: it "
            "stays, to the model's float32 round-off of about 1e-5 eV. The forces are arrows "
            "attached to the atoms: they turn with the molecule (equivariance), exactly as "
            "SevenNet's message passing is built to do."
        ),
        choices=(
            "both stay the same",
            "the energy stays, the forces turn with the molecule",
            "both change",
        ),
    ),
}


def _explain_maximum() -> str:
    from .likelihood import gaussian_mle, sample_data

    mu, sigma = gaussian_mle(sample_data())
    return (
        f"The maximum is at the sample's own mean and spread, μ̂ = {mu:.2f} and σ̂ = {sigma:.2f} "
        "(its standard deviation computed with 1/n; press 'Jump to the maximum'). Thirty numbers are a small sample: they pin the truth "
        "down only roughly, the width least."
    )


def _explain_depth(depth: int) -> str:
    from .classification import DEFAULT_DEPTH, train_classifier

    deep, default = train_classifier("tree", depth), train_classifier("tree", DEFAULT_DEPTH)
    return (
        f"At depth {depth} it knows its training elements by heart, yet it gets "
        f"{deep.test_accuracy:.0%} of the test elements right, against {default.test_accuracy:.0%} "
        f"at depth {DEFAULT_DEPTH}: a deep tree learns the elements, not the pattern."
    )


def _explain_em() -> str:
    steps = _em_steps()
    return (
        "EM never lowers the log-likelihood: each step maximizes a bound that touches it at the "
        f"current fit. Here it rises from {steps[0].log_likelihood:.0f} to "
        f"{steps[-1].log_likelihood:.0f} in {len(steps) - 1} steps, fast at first, then by "
        "ever smaller amounts."
    )
