"""How much data does a model need? Two published recipes on the same molecules, trained live.

Left: the test error against the number of training molecules, log–log, for the
eigenvalues + Gaussian recipe of Rupp et al. (2012) and the sorted matrix + Laplacian
recipe of Hansen et al. (2013), with the first paper's own point (on QM7). Right: both
models trained now, at the size the slider sets, predicting the held-out molecules (a
perfect model puts every point on the diagonal).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from ..datasets import qm9_set
from ..errors import FeaturizeError
from ..regression import (
    CV_FOLDS,
    PAPER_DATASET,
    PAPER_MAE_KCAL_PER_MOL,
    PAPER_REFERENCE,
    PAPER_TRAINING_SIZE,
    RECIPES,
    LearningCurve,
    Qm9Regression,
    RegressionRun,
    g2_contrast,
    learning_curve,
    save_learning_curve,
    stored_learning_curve,
)
from ._background import LatestInBackground
from ._base import PALETTE, Panel
from ._figure import FigureWidget, text_px, trace, two_plots
from ._progress import progress_bar, with_progress

LIVE_TRAINING_SIZES = (25, 50, 100, 200, 400, 800, 1500)  # the slider's stops: live at ≤ 1500
FIRST_TRAINING_SIZE = 200  # trained when the page opens: about a second for both recipes
RUPP, HANSEN = "rupp2012", "hansen2013"
RECIPE_COLOURS = {RUPP: PALETTE["orange"], HANSEN: PALETTE["blue"]}
RECIPE_SHORT = {RUPP: "Rupp 2012", HANSEN: "Hansen 2013"}


class LearningCurvePanel(Panel):
    """The learning curves of both recipes, and both models trained live.

    Moving n_train trains both recipes on that many QM9 molecules (γ and the ridge term λ by
    cross-validation on them, for each), adds their test errors to the curves and shows their predictions.
    That training runs off the kernel's main loop (`training`, up to seconds at 1,500
    molecules), so that the page's other demos answer meanwhile; `settle()` waits for it. A
    size trained before in this kernel (the preheated kernel trains the sizes its first paint
    shows) is answered at once. The full curves are read from `make data`'s cache, or computed
    with compute_button.
    """

    # the sizes trained here so far (the curve's "trained here" points): a first paint's
    # frame shows those of its own turn only (featurize.panels._first_paint)
    FRAME_HISTORY = ("runs",)

    def __init__(
        self,
        regression: Qm9Regression | None = None,
        curve: LearningCurve | None = None,
        n_train: int = FIRST_TRAINING_SIZE,
    ) -> None:
        super().__init__()
        self._build_controls(n_train)
        self.readout = widgets.HTML()
        self.figure = self._build_figure()
        # by (recipe, size): the runs the curve shows as trained here, and every run kept
        self.runs: dict[tuple[str, int], RegressionRun] = {}
        self._trained: dict[tuple[str, int], RegressionRun] = {}
        self.shown_runs: dict[str, RegressionRun] = {}  # by recipe, at the slider's size
        self.regression = self._regression(regression)
        self.curve = curve if curve is not None else stored_learning_curve()
        self.g2 = self._g2_points()
        self._draw_curve()
        self.training = LatestInBackground(self._training_failed, name="learning-curve training")
        self.n_train.observe(self._on_n_train, names="value")
        self.one_run_at_a_time(self.compute_button, self.compute_curve)
        if self.regression is not None:
            self.train(self.n_train.value)
        else:
            self._report()
        controls = widgets.HBox([self.n_train, self.compute_button, self.progress])
        self.widget = widgets.VBox([self.figure, controls, self.readout, self.message])

    def _build_controls(self, n_train: int) -> None:
        """The training-size slider, the button that computes the curves, a progress bar."""
        self.n_train = widgets.SelectionSlider(
            options=LIVE_TRAINING_SIZES,
            value=n_train if n_train in LIVE_TRAINING_SIZES else FIRST_TRAINING_SIZE,
            description="training molecules",
            continuous_update=False,
            layout={"width": "32em"},
            style={"description_width": "10em"},
        )
        self.compute_button = widgets.Button(
            description="Compute the learning curves", layout={"width": "16em"}
        )
        self.progress = progress_bar("training")

    def _g2_points(self) -> dict[str, tuple[int, float]]:
        """By recipe, G2's (n_train, test MAE): from the stored curve, else trained now (111
        molecules: a fraction of a second)."""
        if self.curve is not None:
            return {
                key: (self.curve.g2_n_train, c.g2_test_mae) for key, c in self.curve.curves.items()
            }
        return {key: _g2_point(key) for key in RECIPES}

    def _regression(self, given: Qm9Regression | None) -> Qm9Regression | None:
        """The given regression, else QM9's; None without QM9, said in the panel."""
        try:
            return given or with_progress(
                self.progress, lambda progress: Qm9Regression(qm9_set(progress=progress))
            )
        except FeaturizeError as error:  # no QM9: say so, and keep the paper's point
            self.show_message(str(error))
            self.n_train.disabled = self.compute_button.disabled = True
            return None

    def _build_figure(self) -> FigureWidget:
        """Traces, <key> a recipe's (RUPP, HANSEN): "curve-<key>", "live-<key>" (the runs
        trained here), "g2-<key>", "paper" (left); "parity-<key>", "diagonal" (right)."""
        figure = two_plots(
            (
                "learning curves: test error vs training molecules",
                "the models trained now, on the test molecules",
            ),
            widths=(0.55, 0.45),
            spacing=0.12,
        )
        for key, recipe in RECIPES.items():
            figure.add_scatter(
                x=[],
                y=[],
                mode="lines+markers",
                line={"color": RECIPE_COLOURS[key], "width": 3},
                marker={"size": 9},
                name=recipe.label,
                uid=f"curve-{key}",
                row=1,
                col=1,
            )
        for key in RECIPES:
            figure.add_scatter(
                x=[],
                y=[],
                mode="markers",
                marker={"size": 13, "symbol": "circle-open", "line": {"width": 3}},
                marker_color=RECIPE_COLOURS[key],
                name=f"trained live, {RECIPE_SHORT[key]}",
                uid=f"live-{key}",
                showlegend=False,
                row=1,
                col=1,
            )
        for key in RECIPES:
            figure.add_scatter(
                x=[],
                y=[],
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": RECIPE_COLOURS[key]},
                name=f"G2, experiment (few data), {RECIPE_SHORT[key]}",
                uid=f"g2-{key}",
                showlegend=False,
                row=1,
                col=1,
            )
        figure.add_scatter(
            x=[PAPER_TRAINING_SIZE],
            y=[PAPER_MAE_KCAL_PER_MOL],
            mode="markers+text",
            marker={"symbol": "star", "size": 18, "color": PALETTE["vermillion"]},
            text=["Rupp 2012 (QM7)"],
            # left of the star, on its dotted line: between the two curves' ends at N = 1500
            textposition="middle left",
            name=(
                f"{PAPER_REFERENCE}: {PAPER_MAE_KCAL_PER_MOL} kcal/mol at N ≈ "
                f"{PAPER_TRAINING_SIZE}, eigenvalues + Gaussian, on {PAPER_DATASET}"
            ),
            uid="paper",
            row=1,
            col=1,
        )
        for key, recipe in RECIPES.items():
            figure.add_scatter(
                x=[],
                y=[],
                mode="markers",
                marker={"size": 4, "color": RECIPE_COLOURS[key], "opacity": 0.45},
                hovertemplate=(
                    f"{html.escape(RECIPE_SHORT[key])}<br>%{{text}}<br>reference %{{x:.1f}}"
                    "<br>predicted %{y:.1f}<extra></extra>"
                ),
                name=f"test molecules, {recipe.label}",
                uid=f"parity-{key}",
                showlegend=False,
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
            uid="diagonal",
            showlegend=False,
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
            range=[0.5, 2.25],
            tickvals=[3, 5, 10, 20, 50, 100],
            title_text="test MAE (kcal/mol)",
            row=1,
            col=1,
        )
        figure.update_xaxes(title_text="reference (kcal/mol)", row=1, col=2)
        figure.update_yaxes(title_text="predicted (kcal/mol)", row=1, col=2)
        figure.update_layout(
            width=900,
            height=460,
            margin={"l": 60, "r": 10, "t": 40, "b": 50},
            legend={"orientation": "h", "y": -0.22, "font": {"size": text_px(11)}},
        )
        return figure

    # -- the curves -----------------------------------------------------------------------
    def _draw_curve(self) -> None:
        self.compute_button.layout.display = "none" if self.curve is not None else None
        with self.figure.batch_update():
            if self.curve is not None:
                for key, recipe_curve in self.curve.curves.items():
                    line = trace(self.figure, f"curve-{key}")
                    line.x, line.y = list(self.curve.sizes), list(recipe_curve.test_mae)
                    self.g2[key] = (self.curve.g2_n_train, recipe_curve.g2_test_mae)
            for key, (n_train, mae) in self.g2.items():
                g2 = trace(self.figure, f"g2-{key}")
                g2.x, g2.y = [n_train], [mae]

    def compute_curve(self, _button=None) -> None:
        """Train both recipes at every size of the curve (some seconds), draw, keep on disk."""
        if self.regression is None:
            return
        self.training.wait()  # the slider's training, if one runs, first: one at a time
        try:
            self.curve = with_progress(
                self.progress,
                lambda progress: learning_curve(
                    progress=progress, regression=self.regression, done=self._trained
                ),
            )
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        save_learning_curve(self.curve)
        self._draw_curve()
        self._report()

    # -- the models trained now -------------------------------------------------------
    def _on_n_train(self, change) -> None:
        n_train = change["new"]
        if not self.training.busy and self._trained_at(n_train):
            self.train(n_train)  # trained before: no wait, so no thread
        else:
            self.training.submit(lambda: self.train(n_train))

    def _trained_at(self, n_train: int) -> bool:
        """Both recipes trained on n_train molecules before, in this kernel."""
        return all((key, n_train) in self._trained for key in RECIPES)

    def settle(self) -> None:
        """Wait until the last size asked for is trained and shown."""
        self.training.wait()

    def _training_failed(self, error: Exception) -> None:
        self.show_message(f"Training stopped with an error ({type(error).__name__}: {error}).")

    def train(self, n_train: int) -> None:
        """Train both recipes on n_train molecules (γ, λ by cross-validation for each)."""
        if self.regression is None:
            return
        keys = list(RECIPES)

        def both(progress):
            runs = {}
            for step, key in enumerate(keys):
                runs[key] = self._trained.get((key, n_train)) or self.regression.run(
                    n_train,
                    key,
                    lambda done, total, step=step: progress(step * total + done, len(keys) * total),
                )
            return runs

        try:
            if self._trained_at(n_train):
                runs = both(lambda done, total: None)  # at once: the bar left as it was
            else:
                runs = with_progress(self.progress, both)
        except FeaturizeError as error:
            self.show_message(str(error))
            return
        self.clear_message()
        self.shown_runs = runs
        for key, run in runs.items():
            self.runs[key, n_train] = self._trained[key, n_train] = run
        references = runs[keys[0]].reference
        low = float(min(references.min(), *(run.predicted.min() for run in runs.values())))
        high = float(max(references.max(), *(run.predicted.max() for run in runs.values())))
        with self.figure.batch_update():
            for key in keys:
                sizes = sorted(n for k, n in self.runs if k == key)
                live = trace(self.figure, f"live-{key}")
                live.x, live.y = sizes, [self.runs[key, n].test_mae for n in sizes]
                parity = trace(self.figure, f"parity-{key}")
                # lists, not numpy arrays: the browser reports a redrawn trace back, and
                # plotly cannot compare its report of a numpy-held array (a page warning)
                parity.x = runs[key].reference.tolist()
                parity.y = runs[key].predicted.tolist()
                if parity.text is None:  # the test molecules never change: name them once
                    descriptions = self.regression.dataset.descriptions
                    parity.text = [html.escape(descriptions[i]) for i in self.regression.test]
            diagonal = trace(self.figure, "diagonal")
            diagonal.x, diagonal.y = [low, high], [low, high]
        self._report()

    def _report(self) -> None:
        lines = []
        if self.shown_runs:
            n_train = next(iter(self.shown_runs.values())).n_train
            n_test = len(next(iter(self.shown_runs.values())).reference)
            errors = "; ".join(
                f'<span style="color:{RECIPE_COLOURS[key]}">■</span> {RECIPES[key].label}: '
                f"<b>{run.test_mae:.1f} kcal/mol</b>"
                for key, run in self.shown_runs.items()
            )
            lines.append(
                f"Trained on <b>{n_train}</b> molecules, tested on {n_test} held-out ones: "
                f"{errors}."
            )
            chosen = "; ".join(
                f"{RECIPE_SHORT[key]} γ = {run.gamma:.0e}, λ = {run.alpha:.0e} "
                f"(CV MAE {run.cv_mae:.1f})"
                for key, run in self.shown_runs.items()
            )
            lines.append(
                f'<span style="color:#555">Chosen by {CV_FOLDS}-fold cross-validation on the '
                f"training molecules only, for each recipe: {chosen}.</span>"
            )
        lines.append(
            f'<span style="color:#555">★ {PAPER_REFERENCE}: {PAPER_MAE_KCAL_PER_MOL} kcal/mol '
            f"with N ≈ {PAPER_TRAINING_SIZE} on {PAPER_DATASET}. Here QM9 with ≤ 7 heavy atoms "
            "(C, N, O, F; B3LYP), energies without zero-point energy (U0 − ZPVE): a like set, "
            "not the same one, so compare the curves' slopes, not a point.</span>"
        )
        g2 = "; ".join(
            f"{RECIPE_SHORT[key]} <b>{mae:.0f}</b>" for key, (_n, mae) in self.g2.items()
        )
        n_g2 = next(iter(self.g2.values()))[0]
        lines.append(
            f"◆ G2, experimental energies (without zero-point energy, as QM9's here), the same "
            f"recipes: {n_g2} molecules to learn from, "
            f"test MAE {g2} kcal/mol — too few data for so many elements."
        )
        self.readout.value = "".join(f"<div>{line}</div>" for line in lines)

    def live_mae(self, recipe_key: str) -> np.ndarray:
        """(sizes, test MAE) of one recipe's runs trained in this panel, as the curve shows them."""
        live = trace(self.figure, f"live-{recipe_key}")
        return np.array([live.x, live.y], dtype=float)


def _g2_point(recipe_key: str) -> tuple[int, float]:
    run = g2_contrast(recipe_key)
    return run.n_train, run.test_mae
