"""The lecture's figures (notebooks/img/): diagrams, the evolution animations and the
models the slides show, each registered under its file name."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from figure_style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SEED,
    SKY,
    VERMILLION,
    WIDE,
    YELLOW,
    arrow,
    box,
    canvas,
    figure,
    frame,
    save,
    save_gif,
)
from matplotlib.patches import Circle, Ellipse

EVOLUTION = [
    ("Empirical", "experiment and\nobservation", "Kepler's tables,\nalloy recipes", ORANGE),
    ("Theoretical", "laws and models", "Newton, Maxwell,\nSchrödinger", BLUE),
    ("Computational", "simulation", "DFT, molecular\ndynamics", GREEN),
    (
        "Data-driven",
        "machine learning\non large data sets",
        "learned potentials,\nproperty prediction",
        PURPLE,
    ),
]


def _glyph(ax, kind: int, x: float, y: float, colour: str) -> None:
    """A small drawn symbol for each age of science."""
    if kind == 0:  # a flask
        ax.add_patch(
            plt.Polygon(
                [
                    (x - 0.35, y + 0.5),
                    (x + 0.35, y + 0.5),
                    (x + 0.35, y + 0.1),
                    (x + 0.75, y - 0.6),
                    (x - 0.75, y - 0.6),
                    (x - 0.35, y + 0.1),
                ],
                fc="white",
                ec=colour,
                lw=3,
            )
        )
        ax.add_patch(
            plt.Polygon(
                [
                    (x - 0.6, y - 0.45),
                    (x + 0.6, y - 0.45),
                    (x + 0.45, y - 0.25),
                    (x - 0.45, y - 0.25),
                ],
                fc=colour,
                ec="none",
            )
        )
    elif kind == 1:  # an equation
        ax.text(x, y, r"$F = ma$", ha="center", va="center", fontsize=20, color=colour)
    elif kind == 2:  # a lattice of atoms
        for i in range(3):
            for j in range(3):
                ax.add_patch(Circle((x - 0.5 + 0.5 * i, y - 0.5 + 0.5 * j), 0.15, color=colour))
    else:  # a tiny network
        left = [(x - 0.6, y + 0.4), (x - 0.6, y - 0.4)]
        mid = [(x, y + 0.55), (x, y), (x, y - 0.55)]
        right = [(x + 0.6, y)]
        for a in left:
            for b in mid:
                ax.plot(*zip(a, b, strict=True), color=colour, lw=1)
        for b in mid:
            ax.plot(*zip(b, right[0], strict=True), color=colour, lw=1)
        for p in left + mid + right:
            ax.add_patch(Circle(p, 0.13, color=colour))


def _evolution(steps: int, path: Path) -> None:
    fig, ax = canvas()
    # The title sits top left, above the low end of the staircase: centred, it met the
    # examples over the last, highest column.
    ax.text(0.3, 8.85, "How science has found things out", va="top", fontsize=20, weight="bold")
    arrow(ax, (0.6, 0.25), (15.6, 0.25), colour=GREY, width=2.5)
    ax.text(15.5, 0.45, "time", ha="right", va="bottom", fontsize=14, color=GREY)
    # Each box as wide as its name needs ("Computational" the widest), and the columns
    # spaced unevenly, so that the note under one box keeps clear of the box beside it,
    # one step lower on the staircase.
    columns = [(1.9, 2.9), (5.7, 3.1), (9.45, 3.9), (13.75, 3.3)]  # (centre, box width)
    for k, (name, how, example, colour) in enumerate(EVOLUTION[:steps]):
        (x, width), y = columns[k], 2.15 + 1.12 * k  # a staircase, one box high per step
        box(ax, x, y, width, 0.82, name, colour, size=15)
        ax.text(x, y - 0.65, how, ha="center", va="top", fontsize=14)
        _glyph(ax, k, x, y + 1.35, colour)
        ax.text(
            x,
            y + 2.2,
            example,
            ha="center",
            va="bottom",
            fontsize=13,
            color="#333333",
            style="italic",
        )
    save(fig, path)


for _k in range(1, 5):
    figure(f"evolution-{_k}.png")(lambda path, k=_k: _evolution(k, path))


@figure("ai-ml-dl-overview.png")
def ai_ml_dl_overview(path: Path) -> None:
    fig, ax = canvas()
    # Machine learning overlaps materials science widely, and deep learning sits left of
    # the overlap, so that "ML for materials" fits inside the overlap instead of across an
    # outline; each label sits inside its own shape, clear of the others' outlines.
    ax.add_patch(Ellipse((6.2, 4.4), 12.0, 7.8, fc=SKY, alpha=0.35, ec=BLUE, lw=2))
    ax.add_patch(Ellipse((6.8, 3.9), 8.8, 5.4, fc=BLUE, alpha=0.30, ec=BLUE, lw=2))
    ax.add_patch(Ellipse((6.3, 3.4), 3.6, 3.0, fc=BLUE, alpha=0.45, ec=BLUE, lw=2))
    ax.text(
        6.2, 7.3, "Artificial intelligence", fontsize=17, weight="bold", color=BLUE, ha="center"
    )
    ax.text(6.3, 5.6, "Machine learning", fontsize=16, weight="bold", color=BLUE, ha="center")
    ax.text(
        6.3,
        3.4,
        "Deep\nlearning",
        fontsize=15,
        weight="bold",
        ha="center",
        va="center",
        color="white",
    )
    ax.add_patch(Ellipse((11.6, 4.2), 7.2, 5.0, fc=ORANGE, alpha=0.35, ec=ORANGE, lw=2))
    ax.text(
        13.45,
        3.8,
        "Materials\nscience",
        fontsize=15,
        weight="bold",
        ha="center",
        va="center",
        color="#8a5a00",
    )
    ax.add_patch(Ellipse((13.4, 7.3), 3.8, 2.4, fc=GREEN, alpha=0.3, ec=GREEN, lw=2))
    ax.text(
        13.6,
        7.5,
        "Chemistry",
        fontsize=15,
        ha="center",
        va="center",
        color="#00573f",
        weight="bold",
    )
    ax.add_patch(Ellipse((13.6, 1.4), 3.8, 2.4, fc=PURPLE, alpha=0.3, ec=PURPLE, lw=2))
    ax.text(
        13.8, 1.1, "Physics", fontsize=15, ha="center", va="center", color="#7a3a62", weight="bold"
    )
    ax.text(9.65, 3.7, "ML for\nmaterials", fontsize=14, ha="center", va="center", style="italic")
    save(fig, path)


# -- 2. universal approximation -------------------------------------------------------------
@figure("universal-approximation.png")
def universal_approximation(path: Path) -> None:
    from sklearn.neural_network import MLPRegressor

    x = np.linspace(-3, 3, 400)[:, None]
    target = np.sin(2 * x[:, 0]) + 0.3 * x[:, 0] ** 2 - 0.5 * np.abs(x[:, 0])
    fig, axes = plt.subplots(1, 3, figsize=WIDE, sharey=True)
    for ax, neurons in zip(axes, (1, 3, 24), strict=True):
        model = MLPRegressor(
            hidden_layer_sizes=(neurons,),
            activation="tanh",
            solver="lbfgs",
            max_iter=5000,
            random_state=SEED,
            tol=1e-9,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x, target)
        fit = model.predict(x)
        ax.plot(x, target, color=BLACK, lw=3, label="f(x), the unknown")
        ax.plot(x, fit, color=ORANGE, lw=2.5, ls="--", label="network g(x)")
        ax.set_title(
            f"{neurons} hidden neuron{'s' if neurons > 1 else ''}\nmax |f − g| = {np.max(np.abs(fit - target)):.2f}",
            fontsize=15,
        )
        ax.set_xlabel("x")
    # The curves fill every panel: the key goes below them, in one row, not over a curve.
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="lower center",
        ncol=2,
        fontsize=15,
        frameon=False,
        handlelength=3,
    )
    fig.suptitle("One hidden layer, more neurons: a closer fit on [−3, 3]", fontsize=17)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    save(fig, path)


# -- 3. the hypermaterial space ----------------------------------------------------------------
@figure("materials-map-teaser.png")
def materials_map_teaser(path: Path) -> None:
    from featurize.datasets import qm9_set
    from featurize.maps import materials_map

    qm9 = qm9_set()
    xy = materials_map(qm9, "coulomb_eigenvalues", "PCA")
    order = np.argsort(-qm9.atomization_energy)  # the most bound drawn last, on top
    fig, ax = plt.subplots(figsize=WIDE)
    points = ax.scatter(
        xy[order, 0],
        xy[order, 1],
        c=qm9.atomization_energy[order],
        cmap="viridis",
        s=8,
        linewidths=0,
    )
    bar = fig.colorbar(points, ax=ax, pad=0.02)
    bar.set_label("atomization energy (kcal/mol)")
    # Each name in empty space, with a line to its ring: written beside the ring it sat
    # on the points. Offsets in points from the molecule; the map's right edge is widened
    # so that ethanol and methane fit to the right of theirs.
    for smiles, name, offset in (
        ("CCO", "ethanol", (22, 0)),
        ("C1=CC=CC=C1", "benzene", (-50, -62)),
        ("C", "methane", (22, 0)),
    ):
        x, y = xy[qm9.names.index(smiles)]
        ax.scatter(x, y, s=160, facecolor="none", edgecolor=VERMILLION, linewidths=2.5)
        ax.annotate(
            name,
            (x, y),
            offset,
            textcoords="offset points",
            fontsize=15,
            ha="left" if offset[0] > 0 else "center",
            va="center" if offset[1] == 0 else "top",
            arrowprops={
                "arrowstyle": "-",
                "color": VERMILLION,
                "lw": 1.5,
                "shrinkA": 2,
                "shrinkB": 7,
            },
        )
    ax.set_xlim(right=xy[:, 0].max() + 0.4 * np.ptp(xy[:, 0]))
    ax.set(
        xlabel="direction 1 (which direction: after section 9)",
        ylabel="direction 2",
        xticks=[],
        yticks=[],
        title=f"{len(qm9):,} QM9 molecules, each a point Φ(M)",
    )
    fig.text(
        0.5,
        0.01,
        "Φ: the Coulomb matrix's eigenvalues (section 8), flattened to two dimensions",
        ha="center",
        fontsize=13,
        color=GREY,
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    save(fig, path)


# -- 4. representing materials --------------------------------------------------------------
@figure("featurization-pipeline.png")
def featurization_pipeline(path: Path) -> None:
    import featurize as fz
    from featurize.datasets import qm9_set

    # water as QM9 has it: its Coulomb matrix (upper triangle, Å) and the property the
    # deck's regression learns, the atomization energy without zero-point energy
    qm9 = qm9_set()
    water = qm9.molecules[qm9.names.index("O")]
    energy = float(qm9.atomization_energy[qm9.names.index("O")])
    vector = fz.coulomb_matrix(water)[np.triu_indices(3)]

    fig, ax = canvas()
    # the row of stages higher than before, and the smallest labels 13 pt (were 11): the
    # canvas had room above and below
    stages = [("Material", ORANGE), ("Descriptor", BLUE), ("Model", GREEN), ("Property", PURPLE)]
    for i, (name, colour) in enumerate(stages):
        x = 2.0 + 4.0 * i
        box(ax, x, 7.3, 3.0, 1.1, name, colour, size=17)
        if i:
            arrow(ax, (x - 2.5 + 0.5, 7.3), (x - 1.6, 7.3), width=2.5)
    ax.text(4.0, 8.15, "featurize", ha="center", fontsize=14, style="italic")
    ax.text(8.0, 8.15, "learn", ha="center", fontsize=14, style="italic")
    ax.text(12.0, 8.15, "predict", ha="center", fontsize=14, style="italic")
    # a water molecule
    for (x, y), r, c in [
        ((2.0, 3.8), 0.55, VERMILLION),
        ((1.1, 3.0), 0.35, GREY),
        ((2.9, 3.0), 0.35, GREY),
    ]:
        ax.add_patch(Circle((x, y), r, fc=c, ec=BLACK, lw=1.5, zorder=3))
    ax.plot([1.1, 2.0, 2.9], [3.0, 3.8, 3.0], color=BLACK, lw=3, zorder=2)
    ax.text(2.0, 1.9, "water, H₂O", ha="center", fontsize=15)
    # its Coulomb matrix, written out as a vector
    for j, value in enumerate(vector):
        ax.add_patch(
            plt.Rectangle((5.2, 5.1 - 0.55 * (j + 1)), 1.6, 0.5, fc=SKY, ec=BLUE, alpha=0.6)
        )
        ax.text(
            6.0, 5.1 - 0.55 * (j + 1) + 0.25, f"{value:.1f}", ha="center", va="center", fontsize=13
        )
    ax.text(6.0, 1.3, "x ∈ ℝᴺ", ha="center", fontsize=15)
    ax.text(6.0, 0.65, "(Coulomb matrix)", ha="center", fontsize=13, color=GREY)
    # a small network
    layers = [[4.6, 3.6, 2.6], [4.9, 4.1, 3.3, 2.5], [3.6]]
    xs = [7.0, 8.0, 9.0]
    for (xa, la), (xb, lb) in zip(
        zip(xs, layers, strict=True), zip(xs[1:], layers[1:], strict=True), strict=False
    ):
        for ya in la:
            for yb in lb:
                ax.plot([xa, xb], [ya, yb], color=GREY, lw=0.8)
    for xl, layer in zip(xs, layers, strict=True):
        for yl in layer:
            ax.add_patch(Circle((xl, yl), 0.2, fc=GREEN, ec="none", zorder=3))
    ax.text(8.0, 1.9, "ŷ = f(x)", ha="center", fontsize=15)
    ax.text(
        12.0,
        3.9,
        f"atomization\nenergy\n{energy:.0f} kcal/mol".replace("-", "−"),
        ha="center",
        va="center",
        fontsize=16,
        weight="bold",
        color=PURPLE,
    )
    ax.text(
        12.0,
        2.0,
        "QM9: DFT (B3LYP),\nwithout zero-point energy",
        ha="center",
        va="center",
        fontsize=13,
        color=GREY,
    )
    save(fig, path)


# -- 10. machine-learning tools ---------------------------------------------------------------
@figure("ml-landscape.png")
def ml_landscape(path: Path) -> None:
    # Two questions kept apart: what is to be learned (the task) and with what (the model
    # family). Any family serves several tasks: a network regresses, classifies, clusters.
    fig, ax = canvas()
    ax.plot([7.25, 7.25], [0.8, 8.2], color=GREY, lw=1, ls=":")
    ax.text(3.6, 8.4, "Tasks: what is learned", ha="center", fontsize=17, weight="bold")
    ax.text(11.65, 8.4, "Model families: with what", ha="center", fontsize=17, weight="bold")
    # Each task a row, its name in a box as tall as its leaves beside it: three boxes side by
    # side left too little room for "Unsupervised" and "Reinforcement" at a readable size.
    tasks = [
        ("Supervised", BLUE, ["Regression\n(a number)", "Classification\n(a category)"]),
        ("Unsupervised", ORANGE, ["Clustering", "Dimensionality\nreduction"]),
        ("Reinforcement", VERMILLION, ["act, and learn\nfrom reward"]),
    ]
    # the groups spread to the height of the six families beside them
    pitch, group_gap, height = 1.22, 0.6, 0.92
    top = 7.44
    for name, colour, leaves in tasks:
        ys = [top - pitch * j for j in range(len(leaves))]
        box(ax, 1.9, (ys[0] + ys[-1]) / 2, 3.3, ys[0] - ys[-1] + height, name, colour, size=13)
        for y, leaf in zip(ys, leaves, strict=True):
            box(
                ax,
                5.4,
                y,
                3.1,
                height,
                leaf,
                "#F2F2F2",
                size=13,
                text_colour=BLACK,
                weight="normal",
            )
        top = ys[-1] - pitch - group_gap
    # The two longest names wrapped onto two lines: in one, their boxes would leave the
    # examples beside them too little room.
    families = [
        ("Linear models", "linear and logistic\nregression"),
        ("Kernel methods", "kernel ridge, support\nvector machines"),
        ("Trees and\nensembles", "decision tree, random\nforest, boosting"),
        ("Neighbours", "k-nearest neighbours"),
        ("Probabilistic\nmodels", "Gaussian mixtures"),
        ("Neural networks", "MLP, graph networks"),
    ]
    for k, (name, examples) in enumerate(families):
        y = 7.44 - pitch * k
        box(ax, 9.45, y, 3.8, height, name, PURPLE if "Neural" in name else GREEN, size=13)
        ax.text(11.65, y, examples, va="center", fontsize=13)
    ax.text(
        11.65,
        0.22,
        "any family can serve several tasks",
        ha="center",
        fontsize=13,
        style="italic",
        color=GREY,
    )
    save(fig, path)


@figure("model-types.png")
def model_types(path: Path) -> None:
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LinearRegression
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(SEED)
    fig, axes = plt.subplots(1, 3, figsize=WIDE)
    # regression: melting point against a cohesive-energy-like descriptor
    energy = rng.uniform(1, 8, 40)
    melting = 300 + 420 * energy + rng.normal(0, 260, 40)
    model = LinearRegression().fit(energy[:, None], melting)
    grid = np.linspace(1, 8, 50)
    axes[0].scatter(energy, melting, color=BLUE, s=30)
    axes[0].plot(grid, model.predict(grid[:, None]), color=ORANGE, lw=3)
    axes[0].set(
        title="Regressor\n→ a real number",
        xlabel="cohesive energy (eV)",
        ylabel="melting point (K)",
    )
    # classification: crystal system from two descriptors
    centres = np.array([[1.0, 1.0], [3.0, 2.2], [1.6, 3.2]])
    labels = np.repeat([0, 1, 2], 25)
    points = centres[labels] + rng.normal(0, 0.45, (75, 2))
    classifier = KNeighborsClassifier(7).fit(points, labels)
    xx, yy = np.meshgrid(np.linspace(-0.5, 4.5, 200), np.linspace(-0.5, 4.5, 200))
    regions = classifier.predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    colours = [BLUE, ORANGE, GREEN]
    axes[1].contourf(xx, yy, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=colours, alpha=0.25)
    for k, name in enumerate(["cubic", "hexagonal", "tetragonal"]):
        axes[1].scatter(*points[labels == k].T, color=colours[k], s=25, label=name)
    # the classes' legend in a row of its own below the panels: at a readable size it
    # covered a third of the narrow panel, and no region is wide enough for a name inside;
    # its title says whose classes they are, since it spans all three panels
    fig.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 0.06),
        ncol=3,
        fontsize=13,
        title="the classifier's categories (crystal system):",
        title_fontsize=13,
        alignment="center",
        frameon=False,
        markerscale=1.4,
        handletextpad=0.2,
        columnspacing=1.5,
    )
    axes[1].set(title="Classifier\n→ a category", xlabel="descriptor 1", ylabel="descriptor 2")
    # clustering: alloys grouped without labels
    alloys = np.vstack([rng.normal(c, 0.35, (25, 2)) for c in [(1, 3), (3, 3.2), (2, 1)]])
    clusters = KMeans(3, n_init=10, random_state=SEED).fit_predict(alloys)
    for k in range(3):
        axes[2].scatter(*alloys[clusters == k].T, color=[PURPLE, SKY, VERMILLION][k], s=25)
    axes[2].set(
        title="Clustering\n→ a group id", xlabel="Ni fraction (scaled)", ylabel="hardness (scaled)"
    )
    fig.text(
        0.5, 0.025, "synthetic data, drawn for illustration", ha="center", fontsize=13, color=GREY
    )
    fig.tight_layout(rect=(0, 0.17, 1, 1))
    save(fig, path)


@figure("under-overfitting.png")
def under_overfitting(path: Path) -> None:
    rng = np.random.default_rng(SEED)
    x_train = np.sort(rng.uniform(0, 1, 20))
    x_test = np.sort(rng.uniform(0, 1, 20))

    def truth(x):
        return np.sin(2 * np.pi * x) + 0.5 * x

    y_train = truth(x_train) + rng.normal(0, 0.2, x_train.size)
    y_test = truth(x_test) + rng.normal(0, 0.2, x_test.size)
    grid = np.linspace(0, 1, 300)
    fig, axes = plt.subplots(1, 3, figsize=WIDE, sharey=True)
    for ax, degree, verdict in zip(
        axes, (1, 4, 15), ("underfit", "about right", "overfit"), strict=True
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            poly = np.polynomial.Polynomial.fit(x_train, y_train, degree)
        train_rmse = float(np.sqrt(np.mean((poly(x_train) - y_train) ** 2)))
        test_rmse = float(np.sqrt(np.mean((poly(x_test) - y_test) ** 2)))
        curve = poly(grid)
        ax.plot(grid, np.where(np.abs(curve) < 4, curve, np.nan), color=ORANGE, lw=2.5)
        ax.scatter(x_train, y_train, color=BLUE, s=36, label="train")
        ax.scatter(
            x_test, y_test, facecolor="white", edgecolor=VERMILLION, s=36, lw=1.5, label="test"
        )
        # three short lines: the errors on one line ran into the next panel's title
        ax.set_title(
            f"degree {degree}: {verdict}\ntrain RMSE {train_rmse:.2f}\ntest RMSE {test_rmse:.2f}",
            fontsize=15,
        )
        ax.set_ylim(-2.5, 3)
        ax.set_xlabel("x")
    axes[0].legend(loc="upper right", fontsize=14, handletextpad=0.2, borderaxespad=0.2)
    fig.tight_layout(w_pad=0.5)
    save(fig, path)


@figure("ml-workflow.png")
def ml_workflow(path: Path) -> None:
    """The seven steps top to bottom, each with what it means on one line beside it: read
    from the back of a room, where seven boxes in a row left room only for small print."""
    fig, ax = canvas()
    steps = [
        ("Data", ORANGE, "measurements, simulations"),
        ("Featurize", BLUE, "material → vector"),
        ("Split", GREY, "train · validation · test, never mixed"),
        ("Train", GREEN, "fit the model"),
        ("Validate", PURPLE, "choose settings on unseen data (or CV)"),
        ("Test", VERMILLION, "once, at the end: the error to report"),
        ("Predict", BLACK, "new materials"),
    ]
    # The column sits left of centre and the notes are 15 pt (was 16), so that the longest
    # note ends clear of the right edge and the loop's label clear of the left one; the
    # boxes are wide enough for "Featurize" with a margin.
    x, top, pitch, height, width = 5.05, 8.35, 1.28, 0.58, 2.9
    # each arrow ends a gap short of the boxes' rounded edge (figure_style.box pads by 0.1)
    edge = height / 2 + 0.1 + 0.07
    for i, (step, colour, note) in enumerate(steps):
        y = top - pitch * i
        box(ax, x, y, width, height, step, colour, size=18)
        ax.text(x + width / 2 + 0.4, y, note, va="center", fontsize=15)
        if i:
            arrow(ax, (x, y + pitch - edge), (x, y + edge), width=2.5, head=18)
    train_y, validate_y = top - pitch * 3, top - pitch * 4
    arrow(
        ax,
        (x - width / 2 - 0.15, validate_y),
        (x - width / 2 - 0.15, train_y),
        colour=PURPLE,
        width=2.5,
        connectionstyle="arc3,rad=-0.6",
    )
    ax.text(
        x - width / 2 - 0.75,
        (train_y + validate_y) / 2,
        "tune and\ntrain again",
        ha="right",
        va="center",
        fontsize=15,
        color=PURPLE,
        style="italic",
    )
    save(fig, path)


# -- 11. clustering -----------------------------------------------------------------------------
@figure("gaussian-mixture-em.gif")
def gaussian_mixture_em(path: Path) -> None:
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(SEED)
    centres = [(-2.0, 0.0), (1.5, 2.0), (2.0, -1.5)]
    data = np.vstack([rng.multivariate_normal(c, [[0.6, 0.2], [0.2, 0.4]], 80) for c in centres])
    # start from deliberately poor guesses, so the class sees EM walk to the answer
    start = np.array([[-3.5, 3.5], [0.0, -3.5], [3.5, 3.5]])
    model = GaussianMixture(3, max_iter=1, warm_start=True, means_init=start, random_state=SEED)
    colours = np.array(
        [[0.0, 0.45, 0.70], [0.90, 0.62, 0.0], [0.0, 0.62, 0.45]]
    )  # blue, orange, green
    frames = []
    for step in range(1, 26):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one EM step at a time "does not converge" by design
            model.fit(data)
        responsibility = model.predict_proba(data)
        fig, ax = plt.subplots(figsize=(6.4, 5.2))
        ax.scatter(*data.T, c=np.clip(responsibility @ colours, 0, 1), s=14)
        for mean, cov, colour in zip(model.means_, model.covariances_, colours, strict=True):
            values, vectors = np.linalg.eigh(cov)
            angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
            for scale in (1, 2):
                ax.add_patch(
                    Ellipse(
                        mean,
                        *(2 * scale * np.sqrt(values[::-1])),
                        angle=angle,
                        fc="none",
                        ec=colour,
                        lw=2,
                    )
                )
            ax.plot(*mean, "+", color="black", ms=12, mew=2)
        ax.set(xlim=(-5, 5), ylim=(-4.5, 4.5), xlabel="feature 1", ylabel="feature 2")
        ax.set_title(f"EM step {step}: mean log-likelihood {model.score(data):.3f}", fontsize=13)
        fig.tight_layout()
        frames.append(frame(fig))
    save_gif(frames, path)


# -- 12. classification -------------------------------------------------------------------------
# The decision tree at slide size: 10.24 × 4.96 in at 200 dpi, 2048 × 992 px, shown 1033 px
# wide under its slide's title (measured: 0.5 of the file's size); its labels at 15 pt,
# 42 px in the file, are then 21 px on a 1280 × 720 projector.
TREE_SIZE = (10.24, 4.96)
TREE_FONT = 15
TREE_TITLE_FONT = 18


@figure("decision-tree.png")
def decision_tree(path: Path) -> None:
    from sklearn.tree import DecisionTreeClassifier

    # Synthetic, with a rule a chemist would accept as a caricature: a solid insulates when
    # its bonds are ionic (a large electronegativity difference) or covalent and open (few
    # neighbours, enough valence electrons to fill the bonds); close-packed solids with
    # many neighbours are metals. 5 % of the labels are flipped, as noise.
    rng = np.random.default_rng(SEED)
    n = 300
    electronegativity_difference = rng.uniform(0, 3, n)
    valence_electrons = rng.integers(1, 9, n)
    coordination = rng.choice([4, 6, 8, 12], n)
    insulator = (electronegativity_difference > 1.6) | (
        (coordination <= 4) & (valence_electrons >= 4)
    )
    noise = rng.random(n) < 0.05
    labels = np.where(insulator ^ noise, "insulator", "metal")
    features = np.c_[electronegativity_difference, valence_electrons, coordination]
    # each name on one line: every question then fits two lines, which leaves room
    # between the levels for the yes and no at 15 pt
    names = ["Δ electronegativity", "valence electrons", "neighbours"]
    tree = DecisionTreeClassifier(max_depth=3, random_state=SEED).fit(features, labels)
    classes = list(tree.classes_)

    # Drawn by hand from the fitted tree (scikit-learn's plot_tree ran edges through the
    # text): each box says its question, or its answer, and how many samples reach it.
    structure = tree.tree_
    positions: dict[int, tuple[float, float]] = {}

    def place(node: int, depth: int, left: float, right: float) -> None:
        positions[node] = ((left + right) / 2, 3 - depth)
        if structure.children_left[node] >= 0:
            middle = (left + right) / 2
            place(structure.children_left[node], depth + 1, left, middle)
            place(structure.children_right[node], depth + 1, middle, right)

    place(0, 0, 0.0, 16.0)
    # Drawn at the size a slide shows it (the slide's width under a title), so that the
    # font sizes below are what the back row sees: 15 pt is 25 px there.
    fig, ax = plt.subplots(figsize=TREE_SIZE)
    fig.subplots_adjust(
        left=0.01, right=0.99, bottom=0.01, top=0.92
    )  # the slide's width for the tree
    ax.set_xlim(0, 16)
    ax.set_ylim(-0.75, 3.55)
    ax.axis("off")
    boxes = {}
    for node, (x, y) in positions.items():
        samples = int(structure.n_node_samples[node])
        # scikit-learn stores each node's class fractions: back to counts
        counts = np.rint(structure.value[node][0] * samples).astype(int)
        majority = classes[int(np.argmax(counts))]
        if structure.children_left[node] >= 0:
            feature = names[structure.feature[node]]
            text = f"{feature}\n≤ {structure.threshold[node]:.1f}?  n = {samples}"
            colour = "white"
        else:
            text = f"{majority}\n{int(counts.max())} of {samples}"
            colour = SKY if majority == "insulator" else ORANGE
        boxes[node] = ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=TREE_FONT,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.4", "fc": colour, "ec": BLACK, "alpha": 0.9},
        )
    # Each edge runs from its question's box to its answer's (measured before drawing), and
    # its yes or no sits halfway along the line between the boxes, never on a box.
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()

    def bottom_and_top(node: int) -> tuple[float, float]:
        boxes[node].update_bbox_position_size(renderer)  # the box around the text, undrawn
        extent = boxes[node].get_bbox_patch().get_window_extent(renderer)
        return to_data.transform((0, extent.y0))[1], to_data.transform((0, extent.y1))[1]

    for node, (x, _) in positions.items():
        for child, answer in (
            (structure.children_left[node], "yes"),
            (structure.children_right[node], "no"),
        ):
            if child < 0:
                continue
            cx = positions[child][0]
            start, end = bottom_and_top(node)[0], bottom_and_top(child)[1]
            ax.plot([x, cx], [start, end], color=GREY, lw=2, zorder=1)
            ax.text(
                (x + cx) / 2,
                (start + end) / 2,
                answer,
                ha="center",
                va="center",
                fontsize=TREE_FONT,
                color=GREY,
                bbox={"fc": "white", "ec": "none", "pad": 1},
                zorder=2,
            )
    ax.text(
        8.0,
        -0.7,
        "yes to the left, no to the right; n: samples; a leaf: its majority, of how many",
        ha="center",
        fontsize=TREE_FONT,
        color=GREY,
    )
    ax.set_title("Metal or insulator? A depth-3 tree on synthetic data", fontsize=TREE_TITLE_FONT)
    save(fig, path)


# -- 14. neural networks ------------------------------------------------------------------------
def _artificial_neuron(ax, x0: float, y0: float, scale: float = 1.0, formula: bool = True) -> None:
    s = scale
    inputs = [(x0, y0 + 1.6 * s), (x0, y0), (x0, y0 - 1.6 * s)]
    body = (x0 + 4.0 * s, y0)
    for i, (x, y) in enumerate(inputs, start=1):
        ax.add_patch(Circle((x, y), 0.42 * s, fc=SKY, ec=BLUE, lw=2))
        ax.text(x, y, f"$x_{i}$", ha="center", va="center", fontsize=16 * s)
        arrow(
            ax,
            (x + 0.45 * s, y),
            (body[0] - 0.75 * s, body[1] + 0.25 * (2 - i) * s),
            colour=GREY,
            width=1.8,
        )
        ax.text(
            (x + body[0]) / 2 - 0.2 * s,
            (y + body[1]) / 2 + 0.28 * s,
            f"$w_{i}$",
            fontsize=15 * s,
            color=BLUE,
        )
    ax.add_patch(Circle(body, 0.75 * s, fc=GREEN, ec="none"))
    ax.text(*body, r"$\Sigma + b$", ha="center", va="center", fontsize=15 * s, color="white")
    box(ax, body[0] + 2.2 * s, y0, 1.3 * s, 1.0 * s, r"$\varphi$", ORANGE, size=18 * s)
    arrow(ax, (body[0] + 0.78 * s, y0), (body[0] + 1.5 * s, y0), width=2)
    arrow(ax, (body[0] + 2.9 * s, y0), (body[0] + 3.8 * s, y0), width=2)
    ax.text(body[0] + 4.1 * s, y0, "$y$", va="center", fontsize=18 * s)
    if formula:
        ax.text(
            body[0] + 0.4 * s,
            y0 - 2.6 * s,
            r"$y = \varphi\left(\sum_i w_i x_i + b\right)$",
            ha="center",
            fontsize=22 * s,
        )


@figure("artificial-neuron.png")
def artificial_neuron(path: Path) -> None:
    fig, ax = canvas()
    _artificial_neuron(ax, 2.5, 5.0, scale=1.25)
    ax.text(8.0, 8.5, "The artificial neuron", ha="center", fontsize=20, weight="bold")
    save(fig, path)


@figure("neuron-analogy.png")
def neuron_analogy(path: Path) -> None:
    fig, ax = canvas()
    rng = np.random.default_rng(SEED)
    # biological: dendrites, cell body, axon, synapses; the whole drawn higher and its
    # axon shorter than before, so that the lowest dendrite clears the caption and the
    # labels at 14 pt stay clear of the branches and of the divider
    soma = (2.95, 5.1)
    for angle in np.linspace(100, 260, 5):
        a = np.radians(angle)
        end = (soma[0] + 2.2 * np.cos(a), soma[1] + 2.2 * np.sin(a))
        ax.plot([soma[0], end[0]], [soma[1], end[1]], color=PURPLE, lw=3)
        for twig in (-25, 25):
            b = np.radians(angle + twig + rng.uniform(-8, 8))
            ax.plot(
                [end[0], end[0] + 0.6 * np.cos(b)],
                [end[1], end[1] + 0.6 * np.sin(b)],
                color=PURPLE,
                lw=2,
            )
    ax.add_patch(Circle(soma, 0.8, fc=PURPLE, ec="none", alpha=0.85))
    ax.plot([soma[0] + 0.8, 6.3], [soma[1], soma[1]], color=PURPLE, lw=5)
    for dy in (-0.5, 0, 0.5):
        ax.plot([6.3, 6.9], [soma[1], soma[1] + dy], color=PURPLE, lw=2.5)
        ax.add_patch(Circle((7.0, soma[1] + dy), 0.13, color=PURPLE))
    # the cell body's label below it to the right, where no dendrite runs
    for label, (x, y, ha) in {
        "dendrites": (0.15, 7.45, "left"),
        "cell body": (3.55, 3.65, "left"),
        "axon": (5.0, 5.35, "center"),
        "synapses": (6.75, 4.0, "center"),
    }.items():
        ax.text(x, y, label, fontsize=14, ha=ha)
    ax.text(3.8, 8.4, "Biological neuron", ha="center", fontsize=17, weight="bold", color=PURPLE)
    ax.text(
        3.8,
        0.7,
        "fires when its summed input\npasses a threshold",
        ha="center",
        fontsize=14,
        style="italic",
    )
    ax.plot([7.95, 7.95], [0.6, 8.2], color=GREY, lw=1, ls=":")
    _artificial_neuron(ax, 8.75, 5.1, scale=0.85, formula=False)
    ax.text(12.1, 8.4, "Artificial neuron", ha="center", fontsize=17, weight="bold", color=GREEN)
    # three short lines, not two long ones, so the pairs can be 14 pt
    ax.text(
        12.1,
        0.7,
        "inputs ↔ dendrites\nweights ↔ synapses\nsum + activation ↔ firing",
        ha="center",
        fontsize=14,
        style="italic",
    )
    save(fig, path)


@figure("network-training.gif")
def network_training(path: Path) -> None:
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(SEED)
    x = np.sort(rng.uniform(-3, 3, 120))[:, None]
    y = np.sin(1.5 * x[:, 0]) + 0.3 * x[:, 0] + rng.normal(0, 0.12, 120)
    grid = np.linspace(-3, 3, 200)[:, None]
    model = MLPRegressor(
        hidden_layer_sizes=(16, 16), activation="tanh", learning_rate_init=0.01, random_state=SEED
    )
    losses, frames = [], []
    for epoch in range(1, 301):
        model.partial_fit(x, y)
        losses.append(float(np.mean((model.predict(x) - y) ** 2)))
        if epoch in (1, 2, 3, 5, 8) or epoch % 10 == 0:
            fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 4.2))
            left.scatter(x, y, s=10, color=BLUE, label="data")
            left.plot(grid, model.predict(grid), color=ORANGE, lw=3, label="network")
            left.set(ylim=(-2.5, 2.5), xlabel="x", ylabel="y", title=f"epoch {epoch}")
            left.legend(loc="upper left", fontsize=10)
            right.plot(range(1, epoch + 1), losses, color=VERMILLION, lw=2)
            right.set(
                xlim=(0, 300),
                ylim=(0.005, 2),
                yscale="log",
                xlabel="epoch",
                ylabel="training MSE",
                title="loss",
            )
            fig.tight_layout()
            frames.append(frame(fig))
    save_gif(frames, path, ms_per_frame=220)


# -- 15. foundation models ------------------------------------------------------------------------
@figure("message-passing.png")
def message_passing(path: Path) -> None:
    fig, ax = canvas()
    # The molecule on the right half and all the text in one column on the left: beside
    # the molecule the notes ran off the right edge, and the first one over a hydrogen.
    shift = np.array([4.5, -0.35])
    atoms = {  # a small organic molecule laid out in 2-D
        "C1": ((6.0, 4.5), "C", GREY),
        "C2": ((8.0, 4.5), "C", GREY),
        "O": ((9.2, 6.1), "O", VERMILLION),
        "N": ((9.2, 2.9), "N", BLUE),
        "H1": ((5.0, 6.0), "H", "white"),
        "H2": ((5.0, 3.0), "H", "white"),
        "H3": ((4.6, 4.5), "H", "white"),
        "H4": ((10.6, 2.9), "H", "white"),
        "H5": ((8.6, 1.6), "H", "white"),
    }
    atoms = {
        name: (tuple(np.add(xy, shift)), symbol, colour)
        for name, (xy, symbol, colour) in atoms.items()
    }
    bonds = [
        ("C1", "C2"),
        ("C2", "O"),
        ("C2", "N"),
        ("C1", "H1"),
        ("C1", "H2"),
        ("C1", "H3"),
        ("N", "H4"),
        ("N", "H5"),
    ]
    double_bonds = {("C2", "O")}  # acetamide, CH3–C(=O)–NH2
    for a, b in bonds:
        (xa, ya), (xb, yb) = atoms[a][0], atoms[b][0]
        if (a, b) in double_bonds:
            normal = np.array([yb - ya, xa - xb]) / np.hypot(xb - xa, yb - ya) * 0.14
            for side in (-1, 1):
                ax.plot(
                    [xa + side * normal[0], xb + side * normal[0]],
                    [ya + side * normal[1], yb + side * normal[1]],
                    color=BLACK,
                    lw=2.5,
                    zorder=1,
                )
        else:
            ax.plot([xa, xb], [ya, yb], color=BLACK, lw=3, zorder=1)
    centre = atoms["C2"][0]
    cutoff = 3.1
    ax.add_patch(
        Circle(centre, cutoff, fc=YELLOW, alpha=0.25, ec=ORANGE, lw=1.5, ls="--", zorder=0)
    )
    ax.text(
        centre[0] + 0.1, centre[1] + cutoff + 0.15, "cutoff", color=ORANGE, fontsize=14, ha="center"
    )
    # edges are pairs within the cutoff, chemical bond or not: the amide hydrogens too
    for neighbour in ("H4", "H5"):
        (x, y) = atoms[neighbour][0]
        assert np.hypot(x - centre[0], y - centre[1]) < cutoff
        ax.plot([centre[0], x], [centre[1], y], color=GREEN, lw=1.8, ls=":", zorder=1)
    for (x, y), symbol, colour in atoms.values():
        ax.add_patch(
            Circle((x, y), 0.42 if symbol != "H" else 0.3, fc=colour, ec=BLACK, lw=1.5, zorder=3)
        )
        ax.text(
            x,
            y,
            symbol,
            ha="center",
            va="center",
            fontsize=13,
            weight="bold",
            zorder=4,
            color="white" if symbol in "CON" else BLACK,
        )
    for neighbour in ("C1", "O", "N", "H4", "H5"):
        (x, y) = atoms[neighbour][0]
        arrow(
            ax,
            (x + 0.3 * (centre[0] - x), y + 0.3 * (centre[1] - y)),
            (centre[0] + 0.35 * (x - centre[0]) / 2, centre[1] + 0.35 * (y - centre[1]) / 2),
            colour=GREEN,
            width=3,
            connectionstyle="arc3,rad=0.25",
            zorder=5,
        )
    ax.text(0.4, 8.6, "Message passing", fontsize=20, weight="bold", va="top")
    notes = [
        (
            "atoms are nodes; an edge joins every\npair closer than a cutoff, bonded or"
            "\nnot (dotted: not bonded); each atom\ngathers messages along its edges"
            "\nand updates its own description",
            BLACK,
        ),
        ("repeat for a few layers: the description\ngrows to the wider environment", BLACK),
        ("equivariant: turning the molecule turns\nthe forces with it; the energy stays", GREEN),
    ]
    for (note, colour), top in zip(notes, (7.5, 4.12, 2.29), strict=True):
        ax.text(0.4, top, note, fontsize=14, va="top", color=colour, linespacing=1.3)
    save(fig, path)


# Landing-page pictures, one per demo page (notebooks/demos/NAME.ipynb → thumb-NAME.png):
# the numbers each demo shows, computed by featurize, without axes or text.
