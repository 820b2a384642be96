"""Clustering, live: any 2-D map of points grouped by four algorithms, and EM step by step."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from ..clustering import (
    ALGORITHMS,
    DEFAULT_CLUSTERS,
    DEFAULT_EPS,
    DEFAULT_MIN_SAMPLES,
    LINKAGES,
    TRUE_MIXTURE,
    agreement,
    cluster_points,
    element_property_map,
    em_steps,
    mixture_density,
    mixture_sample,
)
from ..errors import FeaturizeError
from ._base import PALETTE, Panel
from ._figure import FigureWidget, text_px, trace, two_plots

# Okabe–Ito order, then its yellow and black: eight clusters stay distinguishable.
CLUSTER_COLOURS = (
    PALETTE["blue"],
    PALETTE["orange"],
    PALETTE["green"],
    PALETTE["vermillion"],
    PALETTE["purple"],
    PALETTE["sky"],
    "#F0E442",
    "#000000",
)
NOISE_COLOUR = PALETTE["grey"]
LABEL_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star", "x", "hexagon")
MAX_CLUSTERS = len(CLUSTER_COLOURS)
WIDE = {"description_width": "7em"}  # room for a slider's whole name


def _element_map(title: str | None):
    """The default points: the elements' property map, with its titles and labels."""
    element_map = element_property_map()
    first, second = element_map.explained_variance
    axis_titles = (f"PC 1 ({first:.0%} of the variance)", f"PC 2 ({second:.0%})")
    title = title or "61 elements by nine atomic properties and the melting point"
    return element_map.points, element_map.names, element_map.labels, title, axis_titles, "block"


def _checked_points(points, names, labels) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """The points as an (n, 2) array with a name each (their numbers if none are given) and
    a label each or None; FeaturizeError for anything else."""
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise FeaturizeError(
            f"ClusteringPanel draws points in a plane: give an (n, 2) array, not {points.shape}."
        )
    if not np.all(np.isfinite(points)):
        raise FeaturizeError("Some points are NaN or infinite: drop or fill them first.")
    names = [str(n) for n in names] if names is not None else [str(i) for i in range(len(points))]
    labels = None if labels is None else np.asarray(labels).astype(str)
    for given, what in ((names, "names"), (labels, "labels")):
        if given is not None and len(given) != len(points):
            raise FeaturizeError(f"Give one of the {what} per point ({len(points)}).")
    return points, names, labels


class ClusteringPanel(Panel):
    """Points in a plane, coloured by the cluster an algorithm puts them in.

    Give it any (n, 2) array of points with a name each (and, optionally, a known label
    each, drawn as the marker's shape); by default the elements' property map: nine atomic
    properties and the melting point, standardized and projected onto their first two
    principal axes.
    """

    def __init__(
        self,
        points: np.ndarray | None = None,
        names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        title: str | None = None,
        axis_titles: tuple[str, str] = ("PC 1", "PC 2"),
        label_name: str = "label",
    ) -> None:
        super().__init__()
        if points is None:
            points, names, labels, title, axis_titles, label_name = _element_map(title)
        self.points, self.names, self.labels = _checked_points(points, names, labels)
        self.label_name = label_name
        self._build_controls()
        self.readout = widgets.HTML()
        self.figure = self._build_figure(title, axis_titles)
        controls = (self.algorithm, self.n_clusters, self.eps, self.min_samples, self.linkage)
        for control in controls:
            control.observe(self._on_change, names="value")
        self._on_change()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.figure, widgets.VBox([widgets.VBox(controls), self.readout])]),
                self.message,
            ]
        )

    def _build_controls(self) -> None:
        """The algorithm and the settings of each (only those it uses are shown)."""
        self.algorithm = widgets.Dropdown(
            options=ALGORITHMS, value="k-means", description="algorithm"
        )
        self.n_clusters = widgets.IntSlider(
            value=DEFAULT_CLUSTERS,
            min=1,
            max=min(MAX_CLUSTERS, len(self.points)),
            description="clusters k",
            style=WIDE,
        )
        self.eps = widgets.FloatSlider(
            value=DEFAULT_EPS, min=0.1, max=3.0, step=0.05, description="eps (radius)", style=WIDE
        )
        self.min_samples = widgets.IntSlider(
            value=DEFAULT_MIN_SAMPLES, min=1, max=15, description="min samples", style=WIDE
        )
        self.linkage = widgets.Dropdown(options=LINKAGES, value="ward", description="linkage")

    def _build_figure(self, title: str | None, axis_titles: tuple[str, str]) -> FigureWidget:
        """Traces: "points", then one empty trace per label ("legend-0", …) for the legend
        of the marker shapes."""
        symbols = (
            ["circle"] * len(self.points)
            if self.labels is None
            else [
                LABEL_SYMBOLS[sorted(set(self.labels)).index(lab) % len(LABEL_SYMBOLS)]
                for lab in self.labels
            ]
        )
        figure = FigureWidget()
        figure.add_scatter(
            x=self.points[:, 0].tolist(),
            y=self.points[:, 1].tolist(),
            mode="markers+text",
            text=self.names,
            textposition="top center",
            textfont={"size": text_px(11)},
            marker={"size": 11, "symbol": symbols, "line": {"width": 1, "color": "white"}},
            customdata=self.labels.tolist() if self.labels is not None else None,
            hovertemplate="%{text}"
            + (f"<br>{self.label_name} %{{customdata}}" if self.labels is not None else "")
            + "<extra></extra>",
            showlegend=False,
            uid="points",
        )
        if self.labels is not None:  # a legend for the shapes: empty traces, one per label
            for k, label in enumerate(sorted(set(self.labels))):
                figure.add_scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker={"symbol": symbols[list(self.labels).index(label)], "size": 11},
                    marker_color=NOISE_COLOUR,
                    name=label,
                    uid=f"legend-{k}",
                )
        figure.update_layout(
            showlegend=self.labels is not None,
            legend={"title": {"text": self.label_name}},
            width=760,
            height=520,
            margin={"l": 60, "r": 10, "t": 40, "b": 50},
            title=title,
            xaxis_title=axis_titles[0],
            yaxis_title=axis_titles[1],
            plot_bgcolor="white",
        )
        figure.update_xaxes(showgrid=True, gridcolor="#eee", zeroline=False)
        figure.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
        return figure

    @property
    def colours(self) -> list[str]:
        """The colour each point is drawn in."""
        return list(trace(self.figure, "points").marker.color)

    def _on_change(self, _change=None) -> None:
        algorithm = self.algorithm.value
        # show only the controls the chosen algorithm uses
        uses = {
            self.n_clusters: algorithm != "DBSCAN",
            self.eps: algorithm == "DBSCAN",
            self.min_samples: algorithm == "DBSCAN",
            self.linkage: algorithm == "agglomerative",
        }
        for control, used in uses.items():
            control.layout.display = None if used else "none"
        try:
            clusters = cluster_points(
                self.points,
                algorithm,
                n_clusters=self.n_clusters.value,
                eps=self.eps.value,
                min_samples=self.min_samples.value,
                linkage=self.linkage.value,
            )
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.clusters = clusters
        trace(self.figure, "points").marker.color = [
            NOISE_COLOUR if c < 0 else CLUSTER_COLOURS[c % len(CLUSTER_COLOURS)] for c in clusters
        ]
        sizes = [int(np.sum(clusters == c)) for c in range(clusters.max() + 1)]
        noise = int(np.sum(clusters < 0))
        lines = [f"<b>{len(sizes)} clusters</b> of " + ", ".join(map(str, sizes)) + " points"]
        if noise:
            lines.append(f"{noise} points are noise (grey): in no dense region")
        if self.labels is not None:
            lines.append(
                f"agreement with the {self.label_name}s (adjusted Rand index, 1 = same groups, "
                f"0 = chance): <b>{agreement(self.labels, clusters):.2f}</b>"
            )
        self.readout.value = '<div style="max-width:22em">' + "<br>".join(lines) + "</div>"


class MixturePanel(Panel):
    """A Gaussian mixture fitted to 300 numbers by EM, one step at a time.

    The left plot shows the histogram, each component's weighted density and their sum
    (dashed: the mixture the numbers were drawn from); the right one the log-likelihood
    after every step, which EM never lets fall.
    """

    MAX_COMPONENTS = 5

    def __init__(self, data: np.ndarray | None = None) -> None:
        super().__init__()
        self.data = mixture_sample() if data is None else np.asarray(data, dtype=float).ravel()
        if self.data.size < 2 or not np.all(np.isfinite(self.data)):
            raise FeaturizeError("A mixture needs at least two numbers, all finite.")
        self._build_controls()
        self.readout = widgets.HTML()
        margin = 0.1 * np.ptp(self.data)
        self.grid = np.linspace(self.data.min() - margin, self.data.max() + margin, 400)
        self.figure = self._build_figure(drawn_from_known=data is None)
        self.n_components.observe(self._on_components, names="value")
        self.step.observe(self._on_step, names="value")
        self.next_step_button.on_click(self.next_step)
        self.run_button.on_click(self.run_to_convergence)
        self._on_components()
        buttons = widgets.HBox([self.next_step_button, self.run_button])
        controls = widgets.VBox([self.n_components, self.step, buttons])
        self.widget = widgets.VBox(
            [self.figure, widgets.HBox([controls, self.readout]), self.message]
        )

    def _build_controls(self) -> None:
        # EM needs two numbers per component: offer no more components than that
        most = min(self.MAX_COMPONENTS, self.data.size // 2)
        self.n_components = widgets.IntSlider(
            value=min(len(TRUE_MIXTURE), most),
            min=1,
            max=most,
            description="components",
            style=WIDE,
        )
        self.step = widgets.IntSlider(value=0, min=0, max=1, description="EM step", style=WIDE)
        self.next_step_button = widgets.Button(description="Next EM step", layout={"width": "10em"})
        self.run_button = widgets.Button(description="Run to convergence", layout={"width": "12em"})

    def _build_figure(self, drawn_from_known: bool) -> FigureWidget:
        """Traces: "data" (histogram), "drawn-from" (the true mixture, when the data are
        its sample), "mixture", "component-1" … "component-5" (left); "log-likelihood"."""
        figure = two_plots(
            ("mixture density over the data", "log-likelihood per EM step"),
            widths=(0.62, 0.38),
            spacing=0.1,
        )
        figure.add_histogram(
            x=self.data.tolist(),
            histnorm="probability density",
            nbinsx=40,
            marker_color=PALETTE["grey"],
            opacity=0.35,
            name="data",
            uid="data",
            row=1,
            col=1,
        )
        true_weights, true_means, true_stds = (np.array(c) for c in zip(*TRUE_MIXTURE, strict=True))
        true_density = mixture_density(self.grid, true_weights, true_means, true_stds).sum(axis=0)
        figure.add_scatter(
            x=self.grid.tolist(),
            y=true_density.tolist() if drawn_from_known else [],
            line={"color": "black", "dash": "dash", "width": 1.5},
            name="drawn from",
            uid="drawn-from",
            row=1,
            col=1,
        )
        figure.add_scatter(
            x=self.grid.tolist(),
            y=[],
            line={"color": "black", "width": 3},
            name="mixture",
            uid="mixture",
            row=1,
            col=1,
        )
        for k in range(self.MAX_COMPONENTS):
            figure.add_scatter(
                x=self.grid.tolist(),
                y=[],
                line={"color": CLUSTER_COLOURS[k], "width": 2},
                name=f"component {k + 1}",
                uid=f"component-{k + 1}",
                row=1,
                col=1,
            )
        figure.add_scatter(
            x=[],
            y=[],
            mode="lines+markers",
            line={"color": PALETTE["blue"]},
            name="L",
            uid="log-likelihood",
            row=1,
            col=2,
        )
        figure.update_layout(
            width=900, height=380, margin={"l": 50, "r": 10, "t": 40, "b": 40}, showlegend=False
        )
        figure.update_xaxes(title_text="x", row=1, col=1)
        figure.update_yaxes(title_text="density", row=1, col=1)
        figure.update_xaxes(title_text="step", row=1, col=2)
        figure.update_yaxes(title_text="Σ log p(x_i)", row=1, col=2)
        return figure

    def next_step(self, _button=None) -> None:
        """One more EM step (the slider moves, the plots follow)."""
        self.step.value = min(self.step.value + 1, self.step.max)

    def run_to_convergence(self, _button=None) -> None:
        """Jump to the last step: EM has converged there."""
        self.step.value = self.step.max

    def _on_components(self, _change=None) -> None:
        try:
            steps = em_steps(self.data, self.n_components.value)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.steps = steps
        with self.figure.batch_update():
            # the step slider's range follows the run; value first, so it stays in range
            self.step.value = 0
            self.step.max = len(steps) - 1
            self._on_step()

    def _on_step(self, _change=None) -> None:
        state = self.steps[self.step.value]
        components = mixture_density(self.grid, state.weights, state.means, state.stds)
        shown = self.steps[: self.step.value + 1]
        with self.figure.batch_update():
            trace(self.figure, "mixture").y = components.sum(axis=0).tolist()
            for k in range(self.MAX_COMPONENTS):
                component = trace(self.figure, f"component-{k + 1}")
                component.y = components[k].tolist() if k < len(components) else []
            trace(self.figure, "log-likelihood").update(
                x=[s.step for s in shown], y=[s.log_likelihood for s in shown]
            )
            values = [s.log_likelihood for s in self.steps]
            spread = max(values) - min(values) or 1.0
            self.figure.update_xaxes(range=[-0.5, len(self.steps) - 0.5], row=1, col=2)
            self.figure.update_yaxes(
                range=[min(values) - 0.05 * spread, max(values) + 0.05 * spread], row=1, col=2
            )
        rows = "".join(
            f"<tr><td>{k + 1}</td><td>{w:.2f}</td><td>{m:.2f}</td><td>{s:.2f}</td></tr>"
            for k, (w, m, s) in enumerate(zip(state.weights, state.means, state.stds, strict=True))
        )
        converged = " (converged)" if self.step.value == self.step.max and self.step.max > 0 else ""
        self.readout.value = (
            f'<div style="padding-left:2em">step {state.step}{converged}: '
            f"log-likelihood <b>{state.log_likelihood:.2f}</b>"
            '<table style="margin-top:0.3em"><tr><th>k</th><th>weight</th><th>mean μ</th>'
            f"<th>σ</th></tr>{rows}</table></div>"
        )
