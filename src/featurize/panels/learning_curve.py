"""How much data does a model need? Rupp et al. (2012) reproduced, and trained live.

Left: the test error against the number of training molecules, log–log, with the paper's
point. Right: the model trained now, at the size the slider sets, predicting the held-out
molecules (a perfect model puts every point on the diagonal).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from ..datasets import qm9_set
from ..errors import FeaturizeError
from ..regression import (
    CV_FOLDS,
    PAPER_MAE_KCAL_PER_MOL,
    PAPER_REFERENCE,
    PAPER_TRAINING_SIZE,
    LearningCurve,
    Qm9Regression,
    RegressionRun,
    g2_contrast,
    learning_curve,
    save_learning_curve,
    stored_learning_curve,
)
from ._base import PALETTE, Panel
from ._figure import FigureWidget
from ._progress import progress_bar, with_progress

LIVE_TRAINING_SIZES = (25, 50, 100, 200, 400, 800, 1500)  # the slider's stops: live at ≤ 1500
FIRST_TRAINING_SIZE = 200  # trained when the page opens: well under a second


class LearningCurvePanel(Panel):
    """The learning curve of KRR on the sorted Coulomb matrix, and a model trained live.

    Moving n_train trains a model on that many QM9 molecules (γ, α by cross-validation on
    them), adds its test error to the curve and shows its predictions. The full curve is
    read from `make data`'s cache, or computed with compute_button.
    """

    CURVE, PAPER, LIVE, G2, PARITY, DIAGONAL = range(6)  # trace indices

    def __init__(
        self,
        regression: Qm9Regression | None = None,
        curve: LearningCurve | None = None,
        n_train: int = FIRST_TRAINING_SIZE,
    ) -> None:
        super().__init__()
        self.n_train = widgets.SelectionSlider(
            options=LIVE_TRAINING_SIZES,
            value=n_train if n_train in LIVE_TRAINING_SIZES else FIRST_TRAINING_SIZE,
            description="training molecules",
            continuous_update=False,
            layout={"width": "32em"},
            style={"description_width": "10em"},
        )
        self.compute_button = widgets.Button(
            description="Compute the learning curve", layout={"width": "16em"}
        )
        self.progress = progress_bar("training")
        self.readout = widgets.HTML()
        self.figure = self._build_figure()
        self.runs: dict[int, RegressionRun] = {}
        self.run: RegressionRun | None = None

        try:
            self.regression = regression or with_progress(
                self.progress, lambda progress: Qm9Regression(qm9_set(progress=progress))
            )
        except FeaturizeError as error:  # no QM9: say so, and keep the paper's point
            self.regression = None
            self.show_message(str(error))
            self.n_train.disabled = self.compute_button.disabled = True
        self.curve = curve if curve is not None else stored_learning_curve()
        # G2 from the stored curve, else trained now (111 molecules: a fraction of a second)
        self.g2 = (
            (self.curve.g2_n_train, self.curve.g2_test_mae)
            if self.curve is not None
            else _g2_point()
        )
        self._draw_curve()

        self.n_train.observe(self._on_size, names="value")
        self.compute_button.on_click(self.compute_curve)
        if self.regression is not None:
            self.train(self.n_train.value)
        controls = widgets.HBox([self.n_train, self.compute_button, self.progress])
        self.widget = widgets.VBox([self.figure, controls, self.readout, self.message])

    def _build_figure(self) -> FigureWidget:
        figure = FigureWidget(
            make_subplots(
                rows=1,
                cols=2,
                column_widths=[0.55, 0.45],
                horizontal_spacing=0.12,
                subplot_titles=(
                    "learning curve: test error vs training molecules",
                    "the model trained now, on the test molecules",
                ),
            )
        )
        figure.add_scatter(
            x=[],
            y=[],
            mode="lines+markers",
            line={"color": PALETTE["blue"], "width": 3},
            marker={"size": 9},
            name="QM9 ≤ 7 heavy atoms, sorted CM + Laplacian KRR",
            row=1,
            col=1,
        )
        figure.add_scatter(
            x=[PAPER_TRAINING_SIZE],
            y=[PAPER_MAE_KCAL_PER_MOL],
            mode="markers+text",
            marker={"symbol": "star", "size": 18, "color": PALETTE["vermillion"]},
            text=["Rupp et al. 2012 (QM7)"],
            textposition="top left",
            name=(
                f"{PAPER_REFERENCE}: {PAPER_MAE_KCAL_PER_MOL} kcal/mol at N ≈ {PAPER_TRAINING_SIZE}"
            ),
            row=1,
            col=1,
        )
        figure.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={"size": 13, "symbol": "circle-open", "line": {"width": 3}},
            marker_color=PALETTE["orange"],
            name="trained live",
            row=1,
            col=1,
        )
        figure.add_scatter(
            x=[],
            y=[],
            mode="markers+text",
            marker={"symbol": "diamond", "size": 13, "color": PALETTE["green"]},
            textposition="bottom right",
            name="G2, experiment (few data)",
            row=1,
            col=1,
        )
        figure.add_scatter(
            x=[],
            y=[],
            mode="markers",
            marker={"size": 5, "color": PALETTE["blue"], "opacity": 0.5},
            hovertemplate="%{text}<br>reference %{x:.1f}<br>predicted %{y:.1f}<extra></extra>",
            name="test molecules",
            row=1,
            col=2,
        )
        figure.add_scatter(
            x=[],
            y=[],
            mode="lines",
            line={"color": PALETTE["grey"], "dash": "dash"},
            hoverinfo="skip",
            name="predicted = reference",
            row=1,
            col=2,
        )
        figure.add_hline(
            y=PAPER_MAE_KCAL_PER_MOL,
            line={"color": PALETTE["vermillion"], "dash": "dot", "width": 1},
            row=1,
            col=1,
        )
        figure.update_xaxes(
            type="log",
            range=[1, 4.1],
            tickvals=[10, 30, 100, 300, 1000, 3000, 10000],
            title_text="training molecules N",
            row=1,
            col=1,
        )
        figure.update_yaxes(
            type="log",
            range=[0.4, 2.0],
            tickvals=[3, 5, 10, 20, 50, 100],
            title_text="test MAE (kcal/mol)",
            row=1,
            col=1,
        )
        figure.update_xaxes(title_text="reference (kcal/mol)", row=1, col=2)
        figure.update_yaxes(title_text="predicted (kcal/mol)", row=1, col=2)
        figure.update_layout(
            width=900,
            height=430,
            margin={"l": 60, "r": 10, "t": 40, "b": 50},
            legend={"orientation": "h", "y": -0.2, "font": {"size": 11}},
        )
        return figure

    # -- the curve ------------------------------------------------------------------------
    def _draw_curve(self) -> None:
        self.compute_button.layout.display = "none" if self.curve is not None else None
        with self.figure.batch_update():
            if self.curve is not None:
                line = self.figure.data[self.CURVE]
                line.x, line.y = self.curve.sizes, self.curve.test_mae
                self.g2 = (self.curve.g2_n_train, self.curve.g2_test_mae)
            g2 = self.figure.data[self.G2]
            g2.x, g2.y = [self.g2[0]], [self.g2[1]]
            g2.text = [f"G2: {self.g2[1]:.0f} kcal/mol"]

    def compute_curve(self, _button=None) -> None:
        """Train at every size of the learning curve (some seconds), draw it, keep it on disk."""
        if self.regression is None:
            return
        self.compute_button.disabled = True
        try:
            self.curve = with_progress(
                self.progress,
                lambda progress: learning_curve(
                    progress=progress, regression=self.regression, done=self.runs
                ),
            )
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        finally:
            self.compute_button.disabled = False
        save_learning_curve(self.curve)
        self._draw_curve()
        self._report()

    # -- the model trained now --------------------------------------------------------
    def _on_size(self, change) -> None:
        self.train(change["new"])

    def train(self, n_train: int) -> None:
        """Train on n_train molecules (γ, α by cross-validation), test on the held-out set."""
        if self.regression is None:
            return
        try:
            run = self.runs.get(n_train) or with_progress(
                self.progress, lambda progress: self.regression.run(n_train, progress)
            )
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.runs[n_train] = self.run = run
        sizes = sorted(self.runs)
        low = float(min(run.reference.min(), run.predicted.min()))
        high = float(max(run.reference.max(), run.predicted.max()))
        with self.figure.batch_update():
            live = self.figure.data[self.LIVE]
            live.x, live.y = sizes, [self.runs[n].test_mae for n in sizes]
            parity = self.figure.data[self.PARITY]
            # lists, not numpy arrays: the browser reports a redrawn trace back, and plotly
            # cannot compare its report of a numpy-held array (a warning on the page)
            parity.x, parity.y = run.reference.tolist(), run.predicted.tolist()
            if parity.text is None:  # the test molecules never change: name them once
                descriptions = self.regression.dataset.descriptions
                parity.text = [html.escape(descriptions[i]) for i in self.regression.test]
            self.figure.data[self.DIAGONAL].x = [low, high]
            self.figure.data[self.DIAGONAL].y = [low, high]
        self._report()

    def _report(self) -> None:
        run = self.run
        lines = []
        if run is not None:
            verdict = (
                f'<span style="color:{PALETTE["green"]}">better than the paper’s '
                f"{PAPER_MAE_KCAL_PER_MOL} kcal/mol</span>"
                if run.test_mae <= PAPER_MAE_KCAL_PER_MOL
                else f"the paper reached {PAPER_MAE_KCAL_PER_MOL} kcal/mol with N ≈ 7000"
            )
            lines.append(
                f"Trained on <b>{run.n_train}</b> molecules: test MAE "
                f"<b>{run.test_mae:.1f} kcal/mol</b> on {len(run.reference)} held-out "
                f"molecules ({verdict})."
            )
            lines.append(
                f'<span style="color:#555">γ = {run.gamma:.0e}, α = {run.alpha:.0e}, chosen by '
                f"{CV_FOLDS}-fold cross-validation on the training molecules only "
                f"(CV MAE {run.cv_mae:.1f} kcal/mol).</span>"
            )
        lines.append(
            f"G2, the experimental set, with the same recipe: {self.g2[0]} molecules to learn "
            f"from, test MAE <b>{self.g2[1]:.0f} kcal/mol</b> — too few data, too many elements."
        )
        self.readout.value = "".join(f"<div>{line}</div>" for line in lines)

    @property
    def live_mae(self) -> np.ndarray:
        """(sizes, test MAE) of the runs trained in this panel, as the curve shows them."""
        live = self.figure.data[self.LIVE]
        return np.array([live.x, live.y], dtype=float)


def _g2_point() -> tuple[int, float]:
    run = g2_contrast()
    return run.n_train, run.test_mae
