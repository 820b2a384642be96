"""The machine-learning demo pages in a real browser: each draws, and one control works.

Every test opens its page, checks the plots drew, then drives one control as a student
would (the keyboard on a slider, a drop-down, a button, a click on a point) and reads
the figure back from the page to see it changed. A screenshot of each page after its
interaction goes to build/screenshots/<page>.png.
"""

import itertools
import re
from pathlib import Path

import pytest
from panel_checks import (
    TIMEOUT_MS,
    assert_molecule_drawn,
    choose_structure,
    eventually,
    heatmap_z,
    open_demo,
    readout,
    turn_z_slider,
    wait_until_answered,
)

from featurize import potential

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "build" / "screenshots"


# -- reading the page ---------------------------------------------------------------------
def plot(root, index: int = 0):
    """The index-th plotly figure of the page, once it has drawn."""
    figure = root.locator(".js-plotly-plot").nth(index)
    figure.locator(".main-svg").first.wait_for(timeout=TIMEOUT_MS)
    return figure


def trace(figure, uid: str, attribute: str = "y") -> list:
    """An attribute of the trace `uid` as the browser holds it (`marker.color` reaches
    inside): the uids the panels give their traces (featurize.panels._figure.trace)."""
    return figure.evaluate(
        """(el, [uid, path]) => {
            let value = el.data.find((t) => t.uid === uid);
            if (value === undefined)
                throw new Error(`no trace ${uid}: the traces are ${el.data.map((t) => t.uid)}`);
            for (const key of path.split(".")) value = value == null ? null : value[key];
            return value == null ? [] : Array.from(value);
        }""",
        [uid, attribute],
    )


def assert_plotted(figure) -> None:
    """The figure holds some data, not only empty traces."""
    assert figure.evaluate(
        "el => el.data.some(t => ['x', 'y', 'z'].some(k => t[k] && t[k].length > 0))"
    ), "the plot is empty"


def text_of(root, anchor: str) -> str:
    """The whole text of the HTML widget containing `anchor` (a readout)."""
    return root.locator(".widget-html-content", has_text=anchor).first.inner_text()


def settled(page, name: str) -> None:
    """After the interaction: no warning in the panel, no JavaScript error; a screenshot.

    A panel shows a ⚠ line when the kernel refuses something (the browser's report of a
    redrawn plot, say); it arrives just after the redraw, so wait for the page and its
    kernel to fall quiet.
    """
    page.mouse.move(0, 0)  # no hover label in the picture
    wait_until_answered(page)
    warnings = page.locator(".widget-html-content", has_text="⚠")
    assert warnings.count() == 0, warnings.first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1300})  # the whole panel
    wait_until_answered(page)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page.assert_clean()


# -- driving the controls -----------------------------------------------------------------
def press_slider(root, label: str, key: str, times: int) -> str:
    """Focus the handle of the slider named `label`, press `key`; its readout after."""
    slider = root.locator(".widget-slider", has_text=label)
    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(times):
        handle.press(key)
    return slider.locator(".widget-readout").inner_text().strip()


def choose(root, label: str, option: str) -> None:
    root.locator(".widget-dropdown", has_text=label).locator("select").select_option(option)


def click_point(page, figure, uid: str, index: int) -> None:
    """Hover, then click, point `index` of the figure's trace `uid`, where it is drawn."""
    figure.scroll_into_view_if_needed()
    x, y = figure.evaluate(
        """(el, [uid, i]) => {
            const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
            const box = el.getBoundingClientRect(), d = el.data.find((t) => t.uid === uid);
            return [box.left + xa._offset + xa.l2p(d.x[i]), box.top + ya._offset + ya.l2p(d.y[i])];
        }""",
        [uid, index],
    )
    page.mouse.move(x - 10, y - 10)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


# -- the pages ----------------------------------------------------------------------------
def test_classification_page_prunes_the_tree_with_the_depth_slider(page, voila_url):
    root = open_demo(page, voila_url, "classification")
    tree, scores = plot(root, 0), plot(root, 1)
    assert_plotted(tree)
    assert_plotted(scores)
    nodes = len(trace(tree, "nodes", "x"))
    before = text_of(root, "always guessing")
    assert "decision tree: train" in before

    assert press_slider(root, "max depth", "ArrowLeft", 2) == "1"
    # each key press is a round trip: wait for the last one, the stump (root and two leaves)
    eventually(lambda: len(trace(tree, "nodes", "x")), lambda n: n == 3, "the tree is not a stump")
    after = text_of(root, "always guessing")
    assert after != before
    assert nodes > 3
    train = float(re.search(r"train (\d\.\d\d)", after).group(1))
    assert (
        abs(trace(scores, "accuracy")[0] - train) <= 0.005 + 1e-9
    )  # the bar shows the readout's number
    settled(page, "classification")


def test_clustering_page_recolours_the_points_for_another_algorithm(page, voila_url):
    root = open_demo(page, voila_url, "clustering")
    figure = plot(root)
    assert_plotted(figure)
    before = trace(figure, "points", "marker.color")
    assert len(set(before)) == 3  # k-means, three clusters
    eps = root.locator(".widget-slider", has_text="eps (radius)")
    assert not eps.is_visible()

    choose(root, "algorithm", "DBSCAN")
    after = eventually(
        lambda: trace(figure, "points", "marker.color"), lambda c: c != before, "colours unchanged"
    )
    assert len(after) == len(before)
    eps.wait_for(state="visible", timeout=TIMEOUT_MS)  # DBSCAN's own controls appear
    assert not root.locator(".widget-slider", has_text="clusters k").is_visible()
    settled(page, "clustering")


def test_mixture_page_steps_em_and_grows_the_likelihood_trace(page, voila_url):
    root = open_demo(page, voila_url, "mixture")
    figure = plot(root)
    assert_plotted(figure)
    curve = "log-likelihood"
    assert len(trace(figure, curve)) == 1
    mixture = trace(figure, "mixture")

    for _ in range(3):
        root.locator("button", has_text="Next EM step").click()
    likelihoods = eventually(
        lambda: trace(figure, curve), lambda y: len(y) == 4, "the L trace did not grow"
    )
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(likelihoods))  # EM never falls
    assert trace(figure, "mixture") != mixture
    assert "step 3" in text_of(root, "log-likelihood")
    settled(page, "mixture")


def test_overfitting_page_bends_the_curve_with_the_degree_slider(page, voila_url):
    root = open_demo(page, voila_url, "overfitting")
    figure = plot(root)
    assert_plotted(figure)
    before = trace(figure, "fit")
    assert "degree 2" in text_of(root, "train RMSE")

    assert press_slider(root, "degree", "ArrowRight", 6) == "8"
    eventually(lambda: trace(figure, "fit"), lambda y: y != before, "the curve did not change")
    eventually(lambda: text_of(root, "train RMSE"), lambda t: "degree 8" in t, "readout unchanged")
    assert "overfits" in text_of(root, "train RMSE")
    # the ring on the error curves moves to degree 8 (figure and readout update separately)
    eventually(
        lambda: trace(figure, "this-degree", "x"), lambda x: x == [8, 8], "the ring did not move"
    )
    settled(page, "overfitting")


def test_neural_network_page_trains_and_draws_the_loss(page, voila_url):
    root = open_demo(page, voila_url, "neural-network")
    figure = plot(root)
    assert_plotted(figure)
    assert trace(figure, "train-loss") == []
    flat = trace(figure, "fit")
    assert len(set(flat)) == 1  # before training: the mean, a flat line

    root.locator("button", has_text="Train").click()
    eventually(
        lambda: text_of(root, "loss"),
        lambda t: t.startswith("epoch 1000:"),
        "training did not finish",
    )
    loss = trace(figure, "train-loss")
    assert len(loss) == 1000
    assert loss[-1] < loss[0]
    assert len(trace(figure, "test-loss")) == 1000
    assert len(set(trace(figure, "fit"))) > 1  # the network's curve bends
    settled(page, "neural-network")


def test_materials_map_page_shows_the_point_clicked(page, voila_url):
    root = open_demo(page, voila_url, "materials-map")
    figure = plot(root)
    assert_plotted(figure)
    assert_molecule_drawn(root)
    before = text_of(root, "formula")
    assert "CCO" in before  # ethanol is shown first
    ring = trace(figure, "chosen", "x")
    # the point farthest right: alone at the edge of the map, where a click finds it
    xs = trace(figure, "molecules", "x")
    far = max(range(len(xs)), key=xs.__getitem__)

    click_point(page, figure, "molecules", far)
    after = eventually(lambda: text_of(root, "formula"), lambda t: t != before, "no new molecule")
    assert "CCO" not in after.splitlines()[0]
    # the ring and the readout are updated separately: the readout may come first
    moved = eventually(
        lambda: trace(figure, "chosen", "x"), lambda x: x != ring, "the ring did not move"
    )
    assert abs(moved[0] - xs[far]) < 1e-6 * max(1.0, abs(xs[far]))
    assert_molecule_drawn(root)  # the new molecule's 3-D view
    settled(page, "materials-map")


def test_learning_curve_page_retrains_both_recipes_at_another_size(page, voila_url):
    root = open_demo(page, voila_url, "learning-curve")
    figure = plot(root)
    assert_plotted(figure)
    recipes = ("rupp2012", "hansen2013")  # featurize.regression.RECIPES
    live = [f"live-{recipe}" for recipe in recipes]
    parity = [f"parity-{recipe}" for recipe in recipes]
    before = [trace(figure, index) for index in parity]
    assert all(before)
    text = text_of(root, "Trained on")
    assert "Trained on 200" in text
    assert "eigenvalues + Gaussian (Rupp 2012)" in text
    assert "sorted matrix + Laplacian (Hansen 2013)" in text
    assert "QM7" in text and "U0 − ZPVE" in text and "better than" not in text

    assert press_slider(root, "training molecules", "ArrowLeft", 2) == "50"
    eventually(
        lambda: text_of(root, "Trained on"), lambda t: "Trained on 50 " in t, "not retrained"
    )
    for index, old in zip(parity, before, strict=True):
        eventually(lambda i=index: trace(figure, i), lambda y, o=old: y != o, "parity unchanged")
    # each key press trained at its stop (100 on the way): every run joins both curves
    for index in live:
        eventually(
            lambda i=index: set(trace(figure, i, "x")), lambda x: {50, 200} <= x, "runs missing"
        )
    settled(page, "learning-curve")


ENERGY = re.compile(r"E = (-?\d+\.\d+) eV \((\w+)\)")


@pytest.mark.foundation
def test_potential_page_turns_forces_but_not_the_energy(page, voila_url):
    root = open_demo(page, voila_url, "potential")
    assert_plotted(plot(root))
    assert_molecule_drawn(root)
    before = heatmap_z(root)
    assert ENERGY.search(text_of(root, "‖D − D₀‖")).group(2) == "unchanged"

    turn_z_slider(root)
    eventually(lambda: heatmap_z(root), lambda z: z != before, "the forces did not turn")
    eventually(lambda: readout(root), lambda t: "(changed)" in t, "‖D − D₀‖ unchanged")
    assert ENERGY.search(text_of(root, "‖D − D₀‖")).group(2) == "unchanged"
    assert_molecule_drawn(root)

    # a crystal, SevenNet-0's home ground: the same, with its cell turning
    choose_structure(root, "Si (diamond)")  # the heatmap shows the crystal's forces
    assert_molecule_drawn(root)
    crystal = heatmap_z(root)
    turn_z_slider(root)
    eventually(lambda: heatmap_z(root), lambda z: z != crystal, "the forces did not turn")
    assert ENERGY.search(text_of(root, "‖D − D₀‖")).group(2) == "unchanged"
    settled(page, "potential")


@pytest.mark.skipif(potential.potential_available(), reason="the foundation extra is installed")
def test_without_the_extra_the_potential_page_says_how_to_install_it(page, voila_url):
    page.goto(f"{voila_url}/voila/render/demos/potential.ipynb", wait_until="commit")
    message = page.locator(".widget-html-content", has_text="⚠")
    message.wait_for(timeout=TIMEOUT_MS)
    text = message.inner_text()
    assert "make foundation" in text and "pip install" in text, text
    assert "`" not in text, "commands are set as code, not in raw backticks"
    assert page.locator(".js-plotly-plot:visible, .widget-slider:visible").count() == 0
    assert not page.locator("text=Traceback").count()
    page.assert_clean()
