"""The landing page's thumbnails (notebooks/img/thumb-*.png): one small picture per
demo page, drawn from the same engines as the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from figure_style import BLUE, GREEN, GREY, ORANGE, SKY, VERMILLION, figure

THUMB = (4.8, 3.0)


def _thumbnail(path: Path, draw: Callable[[plt.Axes], None]) -> None:
    fig = plt.figure(figsize=THUMB)
    ax = fig.add_axes((0, 0, 1, 1))
    draw(ax)
    ax.set_axis_off()
    fig.savefig(path, dpi=100, metadata={"Software": None}, facecolor="white")
    plt.close(fig)


def _heatmap(ax: plt.Axes, values: np.ndarray, cmap: str = "cividis") -> None:
    ax.imshow(values, cmap=cmap, aspect="auto", interpolation="nearest")


@figure("thumb-coordinates.png")
def thumb_coordinates(path: Path) -> None:
    import featurize as fz

    water = fz.molecule("H2O")
    colours = {"O": VERMILLION, "H": GREY}
    sizes = {"O": 900, "H": 420}

    def draw(ax: plt.Axes) -> None:
        for step, angle in enumerate(range(0, 180, 36)):
            xyz = fz.coordinates(fz.rotate(water, (angle, 0, angle / 2)))
            for symbol, (_, y, z) in zip(water.get_chemical_symbols(), xyz, strict=True):
                ax.scatter(
                    y + 2.2 * step,
                    z,
                    s=sizes[symbol],
                    color=colours[symbol],
                    alpha=0.35 + 0.13 * step,
                    edgecolor="white",
                    zorder=step,
                )
        ax.set_xlim(-1.5, 10.5)
        ax.set_ylim(-2.4, 2.4)

    _thumbnail(path, draw)


@figure("thumb-coulomb-matrix.png")
def thumb_coulomb_matrix(path: Path) -> None:
    import featurize as fz

    matrix = np.log1p(fz.coulomb_matrix(fz.molecule("CH3CH2OH")))
    _thumbnail(path, lambda ax: _heatmap(ax, matrix))


@figure("thumb-soap.png")
def thumb_soap(path: Path) -> None:
    import featurize as fz

    spectrum = np.log1p(np.abs(fz.soap(fz.molecule("H2O"))) * 50)
    _thumbnail(path, lambda ax: _heatmap(ax, spectrum.reshape(11, 20)))


@figure("thumb-fingerprints.png")
def thumb_fingerprints(path: Path) -> None:
    import featurize as fz

    first = fz.morgan_fingerprint(fz.DEMO_MOLECULES["Aspirin"]).reshape(16, 64)
    second = fz.morgan_fingerprint(fz.DEMO_MOLECULES["Caffeine"]).reshape(16, 64)
    rows, cols = np.mgrid[0:16, 0:64]

    def draw(ax: plt.Axes) -> None:
        ax.scatter(cols, rows, s=14, color="#dde3ea")
        for mask, colour in (
            (first & ~second, BLUE),
            (second & ~first, ORANGE),
            (first & second, GREEN),
        ):
            ax.scatter(cols[mask == 1], rows[mask == 1], s=70, color=colour)
        ax.set_xlim(-1, 64)
        ax.set_ylim(16, -1)

    _thumbnail(path, draw)


@figure("thumb-likelihood.png")
def thumb_likelihood(path: Path) -> None:
    import featurize as fz

    x = fz.sample_data()
    mu, sigma = fz.gaussian_mle(x)

    def draw(ax: plt.Axes) -> None:
        ax.hist(x, bins=10, density=True, color=SKY, edgecolor="white")
        grid = np.linspace(x.min() - sigma, x.max() + sigma, 200)
        ax.plot(
            grid,
            np.exp(-0.5 * ((grid - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi)),
            color=VERMILLION,
            lw=4,
        )
        ax.margins(0.02, 0.05)

    _thumbnail(path, draw)


@figure("thumb-classification.png")
def thumb_classification(path: Path) -> None:
    from featurize.classification import train_classifier, tree_nodes

    nodes = tree_nodes(train_classifier("tree", 3))
    colours = {"fcc": BLUE, "bcc": ORANGE, "hcp": GREEN}

    def draw(ax: plt.Axes) -> None:
        for node in nodes:
            if node.parent >= 0:
                parent = nodes[node.parent]
                ax.plot([parent.x, node.x], [parent.y, node.y], color=GREY, lw=2, zorder=1)
        for node in nodes:
            ax.scatter(
                node.x,
                node.y,
                s=420,
                zorder=2,
                edgecolor="black",
                color=colours[node.text] if node.is_leaf else "white",
            )
        ax.set_xlim(-0.6, max(n.x for n in nodes) + 0.6)
        ax.set_ylim(min(n.y for n in nodes) - 0.4, 0.4)

    _thumbnail(path, draw)


@figure("thumb-clustering.png")
def thumb_clustering(path: Path) -> None:
    from featurize.clustering import cluster_points, element_property_map

    element_map = element_property_map()
    clusters = cluster_points(element_map.points, "k-means", 3)
    palette = np.array([BLUE, ORANGE, GREEN])

    def draw(ax: plt.Axes) -> None:
        x, y = element_map.points.T
        ax.scatter(x, y, s=90, color=palette[clusters], edgecolor="white")
        ax.margins(0.08)

    _thumbnail(path, draw)


@figure("thumb-mixture.png")
def thumb_mixture(path: Path) -> None:
    from featurize.clustering import em_steps, mixture_density, mixture_sample

    data = mixture_sample()
    final = em_steps(data)[-1]
    grid = np.linspace(data.min() - 1, data.max() + 1, 400)
    parts = mixture_density(grid, final.weights, final.means, final.stds)

    def draw(ax: plt.Axes) -> None:
        ax.hist(data, bins=40, density=True, color=GREY, alpha=0.35)
        for part, colour in zip(parts, [BLUE, ORANGE, GREEN], strict=True):
            ax.fill_between(grid, part, color=colour, alpha=0.35)
            ax.plot(grid, part, color=colour, lw=2)
        ax.plot(grid, parts.sum(axis=0), color="black", lw=3)

    _thumbnail(path, draw)


@figure("thumb-overfitting.png")
def thumb_overfitting(path: Path) -> None:
    from featurize.fitting import complexity_curve

    train, test = complexity_curve()

    def draw(ax: plt.Axes) -> None:
        degrees = np.arange(len(train))
        ax.plot(degrees, train, "o-", color=BLUE, lw=4, ms=10)
        ax.plot(degrees, test, "o-", color=ORANGE, lw=4, ms=10)
        ax.set_ylim(0, test.max() * 1.1)
        ax.set_xlim(-0.5, len(train) - 0.5)

    _thumbnail(path, draw)


@figure("thumb-neural-network.png")
def thumb_neural_network(path: Path) -> None:
    from featurize.fitting import train_network

    rates = {0.3: VERMILLION, 0.1: BLUE, 0.01: GREY}  # 0.3 overshoots: a spike near epoch 500
    curves = {rate: [e.train_loss for e in train_network(rate, 1000)] for rate in rates}

    def draw(ax: plt.Axes) -> None:
        for rate, loss in curves.items():
            ax.plot(np.arange(1, len(loss) + 1), loss, color=rates[rate], lw=4)
        ax.set_yscale("log")
        ax.set_xlim(0, 1000)

    _thumbnail(path, draw)


@figure("thumb-materials-map.png")
def thumb_materials_map(path: Path) -> None:
    from featurize.datasets import qm9_set
    from featurize.maps import materials_map

    qm9 = qm9_set()
    xy = materials_map(qm9, "coulomb_eigenvalues", "PCA")
    order = np.argsort(-qm9.atomization_energy)  # most bound last, on top

    def draw(ax: plt.Axes) -> None:
        ax.scatter(
            xy[order, 0],
            xy[order, 1],
            c=qm9.atomization_energy[order],
            cmap="viridis",
            s=9,
            linewidths=0,
        )
        chosen = qm9.names.index("CCO")
        ax.scatter(*xy[chosen], s=420, facecolor="none", edgecolor=VERMILLION, linewidths=3)
        ax.margins(0.03)

    _thumbnail(path, draw)


@figure("thumb-learning-curve.png")
def thumb_learning_curve(path: Path) -> None:
    from featurize.regression import (
        PAPER_MAE_KCAL_PER_MOL,
        PAPER_TRAINING_SIZE,
        learning_curve,
        save_learning_curve,
        stored_learning_curve,
    )

    # both recipes' curves: ~20 s on two cores, or read back after `make data` (and kept,
    # as `make data` would keep them, so that a second drawing reads them back)
    curve = stored_learning_curve()
    if curve is None:
        curve = learning_curve()
        save_learning_curve(curve)
    colours = {"rupp2012": ORANGE, "hansen2013": BLUE}

    def draw(ax: plt.Axes) -> None:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.axhline(PAPER_MAE_KCAL_PER_MOL, color=VERMILLION, lw=2, ls=":")
        for key, recipe_curve in curve.curves.items():
            ax.plot(curve.sizes, recipe_curve.test_mae, "o-", color=colours[key], lw=5, ms=14)
        ax.plot(PAPER_TRAINING_SIZE, PAPER_MAE_KCAL_PER_MOL, "*", color=VERMILLION, ms=34)
        ax.set_xlim(60, 12000)
        ax.set_ylim(5, 40)

    _thumbnail(path, draw)


@figure("thumb-potential.png")
def thumb_potential(path: Path) -> None:
    import featurize as fz

    # Schematic (the figure script does not need the optional model): water turned three
    # ways, an arrow on each atom along its bonds, turning with the molecule.
    water = fz.molecule("H2O")
    colours, sizes = {"O": VERMILLION, "H": GREY}, {"O": 900, "H": 420}
    along_bonds = water.positions - water.positions[0]
    along_bonds[0] = -along_bonds[1:].sum(axis=0)

    def draw(ax: plt.Axes) -> None:
        for step, angle in enumerate((0, 60, 120)):
            turned = fz.rotate(water, (angle, 0, 0))
            arrows = along_bonds @ fz.rotation_matrix((angle, 0, 0)).T * 0.9
            for symbol, (_, y, z), (_, dy, dz) in zip(
                water.get_chemical_symbols(), turned.positions, arrows, strict=True
            ):
                x0 = y + 3.6 * step
                ax.scatter(
                    x0, z, s=sizes[symbol], color=colours[symbol], edgecolor="white", zorder=2
                )
                ax.annotate(
                    "",
                    (x0 + dy, z + dz),
                    (x0, z),
                    zorder=3,
                    arrowprops={"arrowstyle": "-|>", "color": BLUE, "lw": 2.2},
                )
        ax.set_xlim(-2.0, 9.2)
        ax.set_ylim(-2.2, 2.2)

    _thumbnail(path, draw)
