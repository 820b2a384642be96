"""Maximum likelihood by hand: move μ and σ, watch the model and its log-likelihood."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..errors import FeaturizeError
from ..likelihood import gaussian_log_likelihood, gaussian_mle, gaussian_pdf, sample_data
from ._base import PALETTE, Panel
from ._figure import FigureWidget, trace, two_plots


class LikelihoodPanel(Panel):
    """Sliders for a Gaussian's μ and σ over 30 samples; the log-likelihood as a bar.

    "Jump to the maximum" sets the sliders to the analytic answer (sample mean, 1/n std).
    """

    def __init__(self, data: np.ndarray | None = None) -> None:
        super().__init__()
        self.data = sample_data() if data is None else np.asarray(data, dtype=float)
        self.mle = gaussian_mle(self.data)
        self.best = gaussian_log_likelihood(self.data, *self.mle)
        self.mu, self.sigma = self._sliders()
        self.jump_button = widgets.Button(
            description="Jump to the maximum", layout={"width": "14em"}
        )
        self.readout = widgets.HTML()
        self.grid = np.linspace(self.mu.min - self.sigma.max, self.mu.max + self.sigma.max, 300)
        # The bar rises from a floor far below the maximum, so "higher is better" reads
        # directly; models worse than the floor sit at the bottom.
        self.floor = 3 * self.best if self.best < 0 else self.best - 3 * abs(self.best) - 1
        self.figure = self._build_figure()
        self.mu.observe(self._on_change, names="value")
        self.sigma.observe(self._on_change, names="value")
        self.jump_button.on_click(self.jump_to_maximum)
        self._on_change()
        controls = widgets.VBox([self.mu, self.sigma, self.jump_button])
        self.widget = widgets.VBox(
            [self.figure, widgets.HBox([controls, self.readout]), self.message]
        )

    def _sliders(self) -> tuple[widgets.FloatSlider, widgets.FloatSlider]:
        """μ and σ, starting away from the maximum, over ranges that follow the data."""
        centre, spread = float(np.mean(self.data)), float(np.std(self.data))
        mu = widgets.FloatSlider(
            value=round(centre - 1.5 * spread, 1),
            min=round(centre - 4 * spread, 1),
            max=round(centre + 4 * spread, 1),
            step=0.01,  # fine enough that the browser keeps the jump to the maximum
            description="μ (mean)",
        )
        sigma = widgets.FloatSlider(
            value=round(2 * spread, 1),
            min=0.2,
            max=round(4 * spread, 1),
            step=0.01,  # fine enough that the browser keeps the jump to the maximum
            description="σ (width)",
        )
        return mu, sigma

    def _build_figure(self) -> FigureWidget:
        """Traces: "histogram", "samples", "model" (left); "bar", "maximum" (right). The
        bar's height is L − floor (plotly draws it from `base`); bar_value reads L back."""
        figure = two_plots(
            ("model density over the data", "log-likelihood"), widths=(0.78, 0.22), spacing=0.12
        )
        figure.add_histogram(
            x=self.data,
            histnorm="probability density",
            marker_color=PALETTE["grey"],
            opacity=0.35,
            name="histogram",
            uid="histogram",
            row=1,
            col=1,
        )
        figure.add_scatter(
            x=self.data,
            y=np.zeros_like(self.data),
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "black"},
            name="the 30 samples",
            uid="samples",
            row=1,
            col=1,
        )
        figure.add_scatter(
            x=self.grid,
            y=self.grid * 0,
            line={"color": PALETTE["blue"], "width": 3},
            name="model",
            uid="model",
        )
        figure.add_bar(
            x=["L"],
            y=[0],
            base=[self.floor],
            marker_color=PALETTE["orange"],
            name="L",
            uid="bar",
            row=1,
            col=2,
        )
        figure.add_scatter(
            x=["L"],
            y=[self.best],
            mode="markers",
            marker={
                "symbol": "line-ew",
                "size": 40,
                "line": {"width": 3, "color": PALETTE["green"]},
            },
            name="maximum",
            uid="maximum",
            row=1,
            col=2,
        )
        figure.update_layout(
            width=760, height=380, margin={"l": 50, "r": 10, "t": 40, "b": 40}, showlegend=False
        )
        # fixed axes, so that a narrower model visibly grows taller
        peak = gaussian_pdf(0, 0, self.mle[1])
        figure.update_yaxes(range=[0, 2 * peak], title_text="density", row=1, col=1)
        headroom = 0.1 * (self.best - self.floor)
        figure.update_yaxes(range=[self.floor, self.best + headroom], row=1, col=2)
        return figure

    @property
    def bar_value(self) -> float:
        """The log-likelihood the bar shows (its top edge)."""
        bar = trace(self.figure, "bar")
        return float(bar.base[0] + bar.y[0])

    def jump_to_maximum(self, _button=None) -> None:
        """Set the sliders to the maximum-likelihood (μ, σ)."""
        with self.figure.batch_update():
            self.mu.value, self.sigma.value = self.mle

    def _on_change(self, _change=None) -> None:
        try:
            value = gaussian_log_likelihood(self.data, self.mu.value, self.sigma.value)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.log_likelihood = value
        with self.figure.batch_update():
            model = gaussian_pdf(self.grid, self.mu.value, self.sigma.value)
            trace(self.figure, "model").y = model
            trace(self.figure, "bar").y = [max(value, self.floor) - self.floor]
        self.readout.value = (
            f'<div style="font-size:1.2em;padding-left:2em">L(μ, σ | x) = <b>{value:.2f}</b><br>'
            f'<span style="color:{PALETTE["green"]}">maximum {self.best:.2f} at μ = {self.mle[0]:.2f}, '
            f"σ = {self.mle[1]:.2f}</span></div>"
        )
