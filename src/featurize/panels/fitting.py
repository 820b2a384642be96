"""Under- and overfitting on a slider, and a small network trained while you watch."""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from ..errors import FeaturizeError
from ..fitting import (
    DEFAULT_DEGREE,
    DEFAULT_LEARNING_RATE,
    HIDDEN_UNITS,
    LEARNING_RATE_RANGE,
    MAX_DEGREE,
    NETWORK_EPOCHS,
    complexity_curve,
    fit_polynomial,
    predict_curve,
    train_network,
    transition_metal_melting,
)
from ._base import PALETTE, Panel
from ._figure import FigureWidget, text_px, trace, two_plots
from ._first_paint import PAINTED_PRESS, PRESS_SHOWN

# The data's y-range with some room: a wild high-degree curve leaves the plot instead of
# squashing the data into a line at the bottom.
Y_RANGE_K = (0.0, 4500.0)
NEAR_BEST = 1.05  # a test error within 5 % of the smallest is called "about right"
UPDATE_EVERY = 20  # epochs between redraws while the network trains
# The epochs of a run painted for a press of Train before the kernel has connected (the first
# paint's frames: featurize.panels._first_paint), closer early, where the loss falls fastest;
# seven frames of the default run come to about 250,000 characters of the page (28 kB
# compressed).
PAINTED_EPOCHS = (20, 40, 100, 200, 400, 700, 1000)


def _data_traces(figure, data, row: int = 1, col: int = 1) -> None:
    """The training points (blue) and the held-out test points (orange), named on hover."""
    for indices, colour, name in (
        (data.train, PALETTE["blue"], "train"),
        (data.test, PALETTE["orange"], "test"),
    ):
        figure.add_scatter(
            x=data.x[indices].tolist(),
            y=data.y[indices].tolist(),
            mode="markers",
            marker={"size": 9, "color": colour, "line": {"width": 1, "color": "white"}},
            text=[data.names[i] for i in indices],
            hovertemplate="%{text}: %{y:.0f} K<extra>" + name + "</extra>",
            name=f"{name} ({len(indices)})",
            uid=name,
            row=row,
            col=col,
        )


def _lay_out(figure, data) -> None:
    """Size, legend and the melting-point plot's axes, the same in both panels."""
    figure.update_layout(
        width=900,
        height=400,
        margin={"l": 60, "r": 10, "t": 40, "b": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    figure.update_xaxes(title_text=data.x_label, dtick=1, row=1, col=1)
    figure.update_yaxes(title_text=data.y_label, range=Y_RANGE_K, row=1, col=1)


class ComplexityPanel(Panel):
    """A polynomial through transition-metal melting points: move its degree, watch the
    train and test errors part ways (underfitting on the left, overfitting on the right)."""

    def __init__(self) -> None:
        super().__init__()
        self.data = transition_metal_melting()
        self.degree = widgets.IntSlider(
            value=DEFAULT_DEGREE, min=0, max=MAX_DEGREE, description="degree"
        )
        self.readout = widgets.HTML()
        self.grid = np.linspace(self.data.x.min() - 0.5, self.data.x.max() + 0.5, 300)
        self.train_errors, self.test_errors = complexity_curve(data=self.data)
        self.figure = self._build_figure()
        self.degree.observe(self._on_change, names="value")
        self._on_change()
        self.widget = widgets.VBox(
            [self.figure, widgets.HBox([self.degree, self.readout]), self.message]
        )

    def _build_figure(self) -> FigureWidget:
        """Traces: "train", "test" (the data), "fit", "train-error", "test-error", "this-degree"."""
        figure = two_plots(
            ("the fit", "error (RMSE, K) against model complexity"),
            widths=(0.58, 0.42),
            spacing=0.12,
        )
        _data_traces(figure, self.data)
        figure.add_scatter(
            x=self.grid.tolist(),
            y=[],
            line={"color": "black", "width": 2},
            name="polynomial",
            uid="fit",
        )
        degrees = list(range(MAX_DEGREE + 1))
        for errors, colour, name in (
            (self.train_errors, PALETTE["blue"], "train error"),
            (self.test_errors, PALETTE["orange"], "test error"),
        ):
            figure.add_scatter(
                x=degrees,
                y=errors.tolist(),
                mode="lines+markers",
                line={"color": colour},
                name=name,
                uid=name.replace(" ", "-"),
                row=1,
                col=2,
            )
        figure.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={"size": 16, "symbol": "circle-open", "color": "black", "line": {"width": 3}},
            name="this degree",
            uid="this-degree",
            showlegend=False,
            row=1,
            col=2,
        )
        _lay_out(figure, self.data)
        figure.update_xaxes(title_text="polynomial degree", dtick=1, row=1, col=2)
        figure.update_yaxes(title_text="RMSE (K)", rangemode="tozero", row=1, col=2)
        return figure

    def _on_change(self, _change=None) -> None:
        try:
            fit = fit_polynomial(self.degree.value, self.data)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.fit = fit
        with self.figure.batch_update():
            trace(self.figure, "fit").y = fit.model.predict(self.grid[:, None]).tolist()
            trace(self.figure, "this-degree").update(
                x=[fit.degree, fit.degree], y=[fit.train_rmse, fit.test_rmse]
            )
        # shown, not chosen: the test errors only label the picture, nothing is tuned on them
        best = int(np.argmin(self.test_errors))
        near_best = fit.test_rmse <= NEAR_BEST * self.test_errors[best]
        verdict = (
            "about right: close to the smallest error on the test metals"
            if near_best
            else "underfits: too simple, large errors on both sets"
            if fit.degree < best
            else "overfits: the training error keeps falling, the test error rises"
        )
        self.readout.value = (
            f'<div style="padding-left:2em">degree {fit.degree}: train RMSE '
            f"<b>{fit.train_rmse:.0f} K</b>, test RMSE <b>{fit.test_rmse:.0f} K</b> — {verdict}</div>"
        )


class NetworkPanel(Panel):
    """A network with one hidden layer learns the melting-point curve by gradient descent;
    the learning rate sets the step η in θ ← θ − η ∇θ ℒ. Press Train and watch the loss."""

    def __init__(self, epochs: int = NETWORK_EPOCHS) -> None:
        super().__init__()
        self.data = transition_metal_melting()
        self.epochs = epochs
        self.learning_rate = self._learning_rate_slider()
        self.train_button = widgets.Button(description="Train", button_style="primary")
        self.progress = widgets.IntProgress(
            value=0, min=0, max=epochs, description="epoch 0", layout={"width": "24em"}
        )
        self.readout = widgets.HTML()
        self.grid = np.linspace(self.data.x.min() - 0.5, self.data.x.max() + 0.5, 200)
        self.figure = self._build_figure()
        self.hint = self.figure.layout.annotations[-1]
        self.one_run_at_a_time(self.train_button, self.train)
        self._painted_run: tuple[float, list, tuple, str] | None = None
        setattr(self.train_button, PAINTED_PRESS, self._paint_training)
        self.train_button.on_msg(self._on_button_message)
        self.learning_rate.observe(self._forget, names="value")
        self._forget()
        self.widget = widgets.VBox(
            [
                self.figure,
                widgets.HBox([self.learning_rate, self.train_button, self.progress]),
                self.readout,
                self.message,
            ]
        )

    @staticmethod
    def _learning_rate_slider() -> widgets.FloatLogSlider:
        low, high = LEARNING_RATE_RANGE
        return widgets.FloatLogSlider(
            value=DEFAULT_LEARNING_RATE,
            base=10,
            min=np.log10(low),
            max=np.log10(high),
            step=0.25,
            description="learning rate η",
            readout_format=".3g",
            style={"description_width": "initial"},
        )

    def _build_figure(self) -> FigureWidget:
        """Traces: "train", "test" (the data), "fit", "train-loss", "test-loss"; the last
        annotation is the hint shown until the first run."""
        figure = two_plots(
            (
                f"the network's curve ({HIDDEN_UNITS} tanh neurons)",
                "loss (MSE on standardized melting points)",
            ),
            widths=(0.5, 0.5),
            spacing=0.12,
        )
        _data_traces(figure, self.data)
        figure.add_scatter(
            x=self.grid.tolist(),
            y=[],
            line={"color": "black", "width": 2},
            name="network",
            uid="fit",
        )
        for colour, name in ((PALETTE["blue"], "train loss"), (PALETTE["orange"], "test loss")):
            figure.add_scatter(
                x=[],
                y=[],
                mode="lines",
                line={"color": colour},
                name=name,
                uid=name.replace(" ", "-"),
                row=1,
                col=2,
            )
        _lay_out(figure, self.data)
        figure.update_xaxes(title_text="epoch", range=[0, self.epochs], row=1, col=2)
        # powers of ten (plotly's own 2 and 5 between them are drawn at 3/4 of the tick size);
        # a run within a few decades gets 1, 2, 5 of each at full size (_loss_ticks)
        figure.update_yaxes(type="log", dtick=1, title_text="loss", row=1, col=2)
        # until the first run the loss plot says what to do, rather than stand empty
        figure.add_annotation(
            text="press Train",
            x=0.5,
            y=0.5,
            xref="x2 domain",
            yref="y2 domain",
            showarrow=False,
            font={"size": text_px(18), "color": PALETTE["grey"]},
        )
        return figure

    def _forget(self, _change=None) -> None:
        """A new learning rate: clear the last run, so curves of two runs never mix."""
        self.rearm_runs()
        self.history: list[tuple[int, float, float]] = []
        self.progress.value, self.progress.description = 0, "epoch 0"
        with self.figure.batch_update():
            mean = float(np.mean(self.data.y[self.data.train]))
            trace(self.figure, "fit").y = [mean] * len(self.grid)
            trace(self.figure, "train-loss").update(x=[], y=[])
            trace(self.figure, "test-loss").update(x=[], y=[])
            self.figure.layout.yaxis2.tickvals = None
            self.hint.visible = True
        self.readout.value = (
            "Press <b>Train</b>: the network starts from random weights; its curve "
            f"and loss are redrawn every {UPDATE_EVERY} epochs."
        )

    def train(self, _button=None) -> None:
        """Train from scratch for `epochs` epochs, redrawing as it goes."""
        self._train(lambda epoch: epoch % UPDATE_EVERY == 0 or epoch == self.epochs)

    def _train(self, drawn, after_draw=None) -> None:
        """Train from scratch, drawing after the epochs `drawn` says (and then calling
        after_draw)."""
        self._forget()
        self.clear_message()
        try:
            for epoch in train_network(self.learning_rate.value, self.epochs, self.data):
                self.history.append((epoch.epoch, epoch.train_loss, epoch.test_loss))
                if drawn(epoch.epoch):
                    self._draw(epoch.network)
                    if after_draw is not None:
                        after_draw()
        except FeaturizeError as error:
            self.show_message(str(error))
            self._draw(None)  # keep what was reached: the loss climbing is the lesson
            if after_draw is not None:
                after_draw()

    def _paint_training(self, paint_now) -> None:
        """Train's press painted (PAINTED_PRESS): a run drawn at PAINTED_EPOCHS, each drawing
        painted, kept for _on_button_message; then the panel as before the press."""
        painted = {epoch for epoch in PAINTED_EPOCHS if epoch < self.epochs} | {self.epochs}
        self._train(lambda epoch: epoch in painted, paint_now)
        self._painted_run = (
            self.learning_rate.value,
            list(self.history),
            trace(self.figure, "fit").y,  # as last drawn (a run that diverged: before it did)
            self.message.value,  # a run that diverged says so
        )
        self._forget()
        self.clear_message()

    def _on_button_message(self, _button, content, _buffers) -> None:
        """PRESS_SHOWN: the page played the painted run (Train pressed before the kernel had
        connected); show its end, as training again would, without the wait."""
        if content.get("event") != PRESS_SHOWN:
            return
        if self._painted_run is None or self._painted_run[0] != self.learning_rate.value:
            self.train_button.click()
            return
        _rate, history, fit, message = self._painted_run
        self._forget()
        self.history = list(history)
        trace(self.figure, "fit").y = fit
        self._draw(None)
        self.message.value = message

    def _draw(self, network) -> None:
        epochs, train, test = (
            (list(column) for column in zip(*self.history, strict=True))
            if self.history
            else ([], [], [])
        )
        with self.figure.batch_update():
            if network is not None:
                fit = predict_curve(network, self.grid, self.data)
                trace(self.figure, "fit").y = fit.tolist()
            self.hint.visible = not epochs
            trace(self.figure, "train-loss").update(x=epochs, y=train)
            trace(self.figure, "test-loss").update(x=epochs, y=test)
            self.figure.layout.yaxis2.tickvals = _loss_ticks(train + test)
        last = epochs[-1] if epochs else 0
        self.progress.value, self.progress.description = last, f"epoch {last}"
        if epochs:
            self.readout.value = (
                f"epoch {last}: train loss <b>{train[-1]:.3g}</b>, test loss <b>{test[-1]:.3g}</b> "
                "(MSE of the standardized melting points: always predicting the training "
                "mean scores 1 on the training metals)"
            )


# A loss axis spanning at most this many decades is labelled at 1, 2 and 5 of each (the
# default run's falls from about 3 to 0.3: powers of ten alone label it "1" and nothing else).
FINE_TICKS_DECADES = 2


def _loss_ticks(losses: list[float]) -> list[float] | None:
    """The loss axis's labelled values: None (powers of ten, the axis's own) for no losses or
    a wide span (a run that diverges climbs past 10⁶), else 1, 2, 5 of each decade."""
    positive = [loss for loss in losses if loss > 0]
    if not positive:
        return None
    low, high = (math.floor(math.log10(min(positive))), math.ceil(math.log10(max(positive))))
    if high - low > FINE_TICKS_DECADES:
        return None
    return [m * 10.0**e for e in range(low, high + 1) for m in (1, 2, 5)]
