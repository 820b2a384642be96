"""Classify elements' crystal structures: choose a model and its depth, read the scores."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..classification import (
    CRYSTAL_STRUCTURES,
    DEFAULT_DEPTH,
    DEFAULT_NEIGHBOURS,
    FOREST_TREES,
    MAX_DEPTH,
    MODEL_NAMES,
    ClassifierResult,
    element_table,
    majority_baseline,
    stratified_split,
    train_classifier,
    tree_nodes,
)
from ..errors import FeaturizeError
from ._base import PALETTE, Panel
from ._figure import FigureWidget, text_px, trace, two_plots

STRUCTURE_COLOURS = {
    "fcc": PALETTE["blue"],
    "bcc": PALETTE["orange"],
    "hcp": PALETTE["green"],
}
MAX_NEIGHBOURS = 15
WIDE = {"description_width": "7em"}  # room for a control's whole name
# The tree's and the accuracy plots' heights (px): with the controls above them and the
# demo's line of code, the panel fits a 1280 × 720 RISE slide at the least zoom that keeps
# its labels readable (fit-slides.js; at 380 and 330 its bars were cut off).
TREE_HEIGHT = 330
ACCURACY_HEIGHT = 280


class ClassificationPanel(Panel):
    """fcc, bcc or hcp from nine atomic properties and the melting point: a decision tree,
    a forest or k-NN.

    `tree_figure` draws the fitted tree (for the forest, its first tree); `figure` shows
    train and test accuracy against the majority baseline, and the test confusion matrix.
    """

    def __init__(self) -> None:
        super().__init__()
        self.table = element_table()
        self.split = stratified_split(self.table)
        self.majority, _, self.baseline = majority_baseline(self.table, self.split)
        self._build_controls()
        self.readout = widgets.HTML()
        self.tree_figure = self._build_tree_figure()
        self.figure = self._build_figure()
        for control in (self.model, self.depth, self.neighbours):
            control.observe(self._on_change, names="value")
        self._on_change()
        controls = widgets.VBox([self.model, self.depth, self.neighbours])
        self.widget = widgets.VBox(
            [
                widgets.HBox([controls, self.readout]),
                self.tree_figure,
                self.figure,
                self.message,
            ]
        )

    def _build_controls(self) -> None:
        """The model, a tree's maximum depth and k-NN's number of neighbours."""
        self.model = widgets.Dropdown(
            options=[(name, key) for key, name in MODEL_NAMES.items()],
            value="tree",
            description="model",
            style=WIDE,
        )
        self.depth = widgets.IntSlider(
            value=DEFAULT_DEPTH, min=1, max=MAX_DEPTH, description="max depth", style=WIDE
        )
        self.neighbours = widgets.IntSlider(
            value=DEFAULT_NEIGHBOURS,
            min=1,
            max=MAX_NEIGHBOURS,
            description="k neighbours",
            style=WIDE,
        )

    @staticmethod
    def _build_tree_figure() -> FigureWidget:
        """Traces: "edges" and "nodes" of the fitted tree."""
        figure = FigureWidget()
        figure.add_scatter(
            x=[], y=[], mode="lines", line={"color": PALETTE["grey"]}, hoverinfo="skip", uid="edges"
        )
        figure.add_scatter(
            x=[],
            y=[],
            mode="markers+text",
            textposition="bottom center",
            marker={"size": 16, "line": {"width": 1, "color": "black"}},
            hovertemplate="%{customdata}<extra></extra>",
            uid="nodes",
        )
        figure.update_layout(
            width=900,
            height=TREE_HEIGHT,
            margin={"l": 10, "r": 10, "t": 64, "b": 10},  # a title of two lines
            showlegend=False,
            plot_bgcolor="white",
        )
        # where k-nearest neighbours says it has no tree: always there, shown or hidden, so
        # that a tree shown again is as first drawn (the first paint's frames go and come back)
        figure.add_annotation(
            text="",
            visible=False,
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            font={"size": text_px(15)},
        )
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
        return figure

    def _build_figure(self) -> FigureWidget:
        """Traces: "accuracy" (bars: train, test, the baseline) and "confusion" (heatmap)."""
        figure = two_plots(
            (
                "accuracy (fraction right)",
                f"test elements ({len(self.split.test)}): true vs predicted",
            ),
            widths=(0.4, 0.6),
            spacing=0.15,
        )
        figure.add_bar(
            x=["train", "test", "always " + self.majority],
            y=[0, 0, self.baseline],
            marker_color=[PALETTE["blue"], PALETTE["orange"], PALETTE["grey"]],
            texttemplate="%{y:.2f}",
            textposition="outside",
            uid="accuracy",
            row=1,
            col=1,
        )
        figure.add_heatmap(
            z=np.zeros((3, 3), dtype=int).tolist(),
            x=[f"predicted {s}" for s in CRYSTAL_STRUCTURES],
            y=[f"true {s}" for s in CRYSTAL_STRUCTURES],
            colorscale="Blues",
            texttemplate="%{z}",
            showscale=False,
            uid="confusion",
            row=1,
            col=2,
        )
        figure.update_yaxes(range=[0, 1.15], row=1, col=1)
        figure.update_yaxes(autorange="reversed", row=1, col=2)
        figure.update_layout(
            width=900,
            height=ACCURACY_HEIGHT,
            margin={"l": 50, "r": 10, "t": 40, "b": 40},
            showlegend=False,
        )
        return figure

    @property
    def accuracies(self) -> tuple[float, float]:
        """The (train, test) accuracy the bars show."""
        bars = trace(self.figure, "accuracy").y
        return float(bars[0]), float(bars[1])

    @property
    def confusion(self) -> np.ndarray:
        """The confusion matrix the heatmap shows (rows true, columns predicted)."""
        return np.array(trace(self.figure, "confusion").z, dtype=int)

    def _on_change(self, _change=None) -> None:
        is_knn = self.model.value == "knn"
        self.depth.disabled, self.neighbours.disabled = is_knn, not is_knn
        try:
            result = train_classifier(
                self.model.value,
                depth=self.depth.value,
                neighbours=self.neighbours.value,
                table=self.table,
                split=self.split,
            )
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.result = result
        with self.figure.batch_update():
            trace(self.figure, "accuracy").y = [
                result.train_accuracy,
                result.test_accuracy,
                self.baseline,
            ]
            trace(self.figure, "confusion").z = result.confusion.tolist()
        self._draw_tree(result)
        verdict = "beats" if result.test_accuracy > self.baseline + 1e-12 else "does not beat"
        self.readout.value = (
            f'<div style="padding-left:2em;font-size:1.1em">{MODEL_NAMES[result.model_name]}: '
            f"train <b>{result.train_accuracy:.2f}</b>, test <b>{result.test_accuracy:.2f}</b>"
            f"<br>always guessing {self.majority}: {self.baseline:.2f} on the test set — "
            f"the model {verdict} it</div>"
        )

    def _draw_tree(self, result: ClassifierResult) -> None:
        with self.tree_figure.batch_update():
            if result.model_name == "knn":
                trace(self.tree_figure, "edges").update(x=[], y=[])
                trace(self.tree_figure, "nodes").update(x=[], y=[], text=[], customdata=[])
                self.tree_figure.layout.annotations[0].update(
                    text="k-nearest neighbours has no tree: each test element takes the most "
                    f"common structure<br>of the {self.neighbours.value} training elements "
                    "nearest to it in the (scaled) feature space.",
                    visible=True,
                )
                self.tree_figure.layout.title = "k-nearest neighbours"
                return
            nodes = tree_nodes(result)
            edge_x, edge_y = [], []
            for node in nodes:
                if node.parent >= 0:
                    parent = nodes[node.parent]
                    edge_x += [parent.x, node.x, None]
                    edge_y += [parent.y, node.y, None]
            leaves = sum(n.is_leaf for n in nodes)
            font_size = 12 if leaves <= 10 else 10 if leaves <= 16 else 8
            trace(self.tree_figure, "edges").update(x=edge_x, y=edge_y)
            trace(self.tree_figure, "nodes").update(
                x=[n.x for n in nodes],
                y=[n.y for n in nodes],
                text=[n.text.replace("_", " ") for n in nodes],
                textfont={"size": text_px(font_size)},
                marker_color=[STRUCTURE_COLOURS[n.text] if n.is_leaf else "white" for n in nodes],
                customdata=[
                    f"{n.text}<br>{n.samples} training elements: "
                    + ", ".join(
                        f"{c} {s}" for c, s in zip(n.counts, CRYSTAL_STRUCTURES_SORTED, strict=True)
                    )
                    for n in nodes
                ],
            )
            self.tree_figure.layout.annotations[0].update(text="", visible=False)
            depth = -min(n.y for n in nodes)
            self.tree_figure.update_yaxes(range=[-depth - 0.6, 0.4])
            self.tree_figure.update_xaxes(range=[-0.8, leaves - 0.2])
            self.tree_figure.layout.title = (
                f"decision tree, depth {depth}, {leaves} leaves<br>(coloured by the structure "
                "they predict: fcc blue, bcc orange, hcp green)"
                if result.model_name == "tree"
                else f"the first of the forest's {FOREST_TREES} trees (each sees a bootstrap "
                "sample<br>of the training elements); the forest takes their vote"
            )


# scikit-learn orders the classes alphabetically: the counts in a node follow that order
CRYSTAL_STRUCTURES_SORTED = tuple(sorted(CRYSTAL_STRUCTURES))
