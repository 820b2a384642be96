"""Under- and overfitting on a slider, and a small network trained while you watch."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

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
from ._figure import FigureWidget

# The data's y-range with some room: a wild high-degree curve leaves the plot instead of
# squashing the data into a line at the bottom.
Y_RANGE_K = (0.0, 4500.0)
NEAR_BEST = 1.05  # a test error within 5 % of the smallest is called "about right"
UPDATE_EVERY = 20  # epochs between redraws while the network trains


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

    TRAIN, TEST, FIT, TRAIN_ERROR, TEST_ERROR, NOW = range(6)

    def __init__(self) -> None:
        super().__init__()
        self.data = transition_metal_melting()
        self.degree = widgets.IntSlider(
            value=DEFAULT_DEGREE, min=0, max=MAX_DEGREE, description="degree"
        )
        self.readout = widgets.HTML()
        self.grid = np.linspace(self.data.x.min() - 0.5, self.data.x.max() + 0.5, 300)
        self.train_errors, self.test_errors = complexity_curve(data=self.data)

        self.figure = FigureWidget(
            make_subplots(
                rows=1,
                cols=2,
                column_widths=[0.58, 0.42],
                horizontal_spacing=0.12,
                subplot_titles=("the fit", "error (RMSE, K) against model complexity"),
            )
        )
        _data_traces(self.figure, self.data)
        self.figure.add_scatter(
            x=self.grid.tolist(), y=[], line={"color": "black", "width": 2}, name="polynomial"
        )
        degrees = list(range(MAX_DEGREE + 1))
        for errors, colour, name in (
            (self.train_errors, PALETTE["blue"], "train error"),
            (self.test_errors, PALETTE["orange"], "test error"),
        ):
            self.figure.add_scatter(
                x=degrees,
                y=errors.tolist(),
                mode="lines+markers",
                line={"color": colour},
                name=name,
                row=1,
                col=2,
            )
        self.figure.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={"size": 16, "symbol": "circle-open", "color": "black", "line": {"width": 3}},
            name="this degree",
            showlegend=False,
            row=1,
            col=2,
        )
        _lay_out(self.figure, self.data)
        self.figure.update_xaxes(title_text="polynomial degree", dtick=1, row=1, col=2)
        self.figure.update_yaxes(title_text="RMSE (K)", rangemode="tozero", row=1, col=2)

        self.degree.observe(self._on_change, names="value")
        self._on_change()
        self.widget = widgets.VBox(
            [self.figure, widgets.HBox([self.degree, self.readout]), self.message]
        )

    def _on_change(self, _change=None) -> None:
        try:
            fit = fit_polynomial(self.degree.value, self.data)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.fit = fit
        with self.figure.batch_update():
            self.figure.data[self.FIT].y = fit.model.predict(self.grid[:, None]).tolist()
            self.figure.data[self.NOW].update(
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

    TRAIN, TEST, FIT, TRAIN_LOSS, TEST_LOSS = range(5)

    def __init__(self, epochs: int = NETWORK_EPOCHS) -> None:
        super().__init__()
        self.data = transition_metal_melting()
        self.epochs = epochs
        low, high = LEARNING_RATE_RANGE
        self.learning_rate = widgets.FloatLogSlider(
            value=DEFAULT_LEARNING_RATE,
            base=10,
            min=np.log10(low),
            max=np.log10(high),
            step=0.25,
            description="learning rate η",
            readout_format=".3g",
            style={"description_width": "initial"},
        )
        self.train = widgets.Button(description="Train", button_style="primary")
        self.progress = widgets.IntProgress(
            value=0, min=0, max=epochs, description="epoch 0", layout={"width": "24em"}
        )
        self.readout = widgets.HTML()
        self.grid = np.linspace(self.data.x.min() - 0.5, self.data.x.max() + 0.5, 200)

        self.figure = FigureWidget(
            make_subplots(
                rows=1,
                cols=2,
                column_widths=[0.5, 0.5],
                horizontal_spacing=0.12,
                subplot_titles=(
                    f"the network's curve ({HIDDEN_UNITS} tanh neurons)",
                    "loss (MSE on standardized melting points)",
                ),
            )
        )
        _data_traces(self.figure, self.data)
        self.figure.add_scatter(
            x=self.grid.tolist(), y=[], line={"color": "black", "width": 2}, name="network"
        )
        for colour, name in ((PALETTE["blue"], "train loss"), (PALETTE["orange"], "test loss")):
            self.figure.add_scatter(
                x=[], y=[], mode="lines", line={"color": colour}, name=name, row=1, col=2
            )
        _lay_out(self.figure, self.data)
        self.figure.update_xaxes(title_text="epoch", range=[0, epochs], row=1, col=2)
        self.figure.update_yaxes(type="log", title_text="loss", row=1, col=2)

        # until the first run the loss plot says what to do, rather than stand empty
        self.figure.add_annotation(
            text="press Train",
            x=0.5,
            y=0.5,
            xref="x2 domain",
            yref="y2 domain",
            showarrow=False,
            font={"size": 18, "color": PALETTE["grey"]},
        )
        self.hint = self.figure.layout.annotations[-1]
        self.one_run_at_a_time(self.train, self.run)
        self.learning_rate.observe(self._forget, names="value")
        self._forget()
        self.widget = widgets.VBox(
            [
                self.figure,
                widgets.HBox([self.learning_rate, self.train, self.progress]),
                self.readout,
                self.message,
            ]
        )

    def _forget(self, _change=None) -> None:
        """A new learning rate: clear the last run, so curves of two runs never mix."""
        self.rearm_runs()
        self.history: list[tuple[int, float, float]] = []
        self.progress.value, self.progress.description = 0, "epoch 0"
        with self.figure.batch_update():
            self.figure.data[self.FIT].y = [float(np.mean(self.data.y[self.data.train]))] * len(
                self.grid
            )
            self.figure.data[self.TRAIN_LOSS].update(x=[], y=[])
            self.figure.data[self.TEST_LOSS].update(x=[], y=[])
            self.hint.visible = True
        self.readout.value = (
            "Press <b>Train</b>: the network starts from random weights; its curve "
            f"and loss are redrawn every {UPDATE_EVERY} epochs."
        )

    def run(self, _button=None) -> None:
        """Train from scratch for `epochs` epochs, redrawing as it goes."""
        self._forget()
        self.clear_message()
        try:
            for epoch in train_network(self.learning_rate.value, self.epochs, self.data):
                self.history.append((epoch.epoch, epoch.train_loss, epoch.test_loss))
                if epoch.epoch % UPDATE_EVERY == 0 or epoch.epoch == self.epochs:
                    self._draw(epoch.network)
        except FeaturizeError as error:
            self.show_message(str(error))
            self._draw(None)  # keep what was reached: the loss climbing is the lesson

    def _draw(self, network) -> None:
        epochs, train, test = (
            (list(column) for column in zip(*self.history, strict=True))
            if (self.history)
            else ([], [], [])
        )
        with self.figure.batch_update():
            if network is not None:
                self.figure.data[self.FIT].y = predict_curve(network, self.grid, self.data).tolist()
            self.hint.visible = not epochs
            self.figure.data[self.TRAIN_LOSS].update(x=epochs, y=train)
            self.figure.data[self.TEST_LOSS].update(x=epochs, y=test)
        last = epochs[-1] if epochs else 0
        self.progress.value, self.progress.description = last, f"epoch {last}"
        if epochs:
            self.readout.value = (
                f"epoch {last}: train loss <b>{train[-1]:.3g}</b>, test loss <b>{test[-1]:.3g}</b> "
                "(MSE of the standardized melting points: always predicting the training "
                "mean scores 1 on the training metals)"
            )
