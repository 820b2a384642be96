"""featurize.panels.fitting: a polynomial's degree on a slider, a network trained while you watch."""

from types import SimpleNamespace

import numpy as np
import pytest

from featurize.fitting import DEFAULT_DEGREE, MAX_DEGREE, fit_polynomial, transition_metal_melting
from featurize.panels._figure import trace
from featurize.panels.fitting import ComplexityPanel, NetworkPanel, _loss_ticks


def test_complexity_panel_moves_the_fit_and_the_errors():
    panel = ComplexityPanel()
    data = transition_metal_melting()
    for degree in (0, DEFAULT_DEGREE, MAX_DEGREE):
        panel.degree.value = degree
        fit = fit_polynomial(degree, data)
        np.testing.assert_allclose(
            trace(panel.figure, "fit").y, fit.model.predict(panel.grid[:, None])
        )
        assert list(trace(panel.figure, "this-degree").y) == pytest.approx(
            [fit.train_rmse, fit.test_rmse]
        )
    assert "overfits" in panel.readout.value
    panel.degree.value = 0
    assert "underfits" in panel.readout.value
    train = np.array(trace(panel.figure, "train-error").y)
    assert np.all(np.diff(train) <= 1e-9 * train[0])


def test_network_panel_trains_and_reports_divergence():
    panel = NetworkPanel(epochs=60)
    assert "Press" in panel.readout.value and panel.hint.visible
    seen_while_training = []  # (epoch shown, points on the loss curve) at each redraw
    panel.progress.observe(
        lambda change: seen_while_training.append(
            (change["new"], len(trace(panel.figure, "train-loss").y))
        ),
        names="value",
    )
    panel.train_button.click()
    assert seen_while_training == [(20, 20), (40, 40), (60, 60)]  # drawn as it trains
    assert not panel.hint.visible
    loss = np.array(trace(panel.figure, "train-loss").y)
    assert len(loss) == 60 and panel.progress.value == 60
    assert loss[-1] < loss[0]
    assert not panel.train_button.disabled and panel.message.value == ""
    assert len(set(trace(panel.figure, "fit").y)) > 1  # the curve has left the flat start
    assert 1.0 in panel.figure.layout.yaxis2.tickvals  # a narrow span: 1, 2, 5 a decade
    panel.learning_rate.value = 10**panel.learning_rate.max  # η = 1 (the slider holds exponents)
    assert panel.learning_rate.value == 1.0
    assert len(trace(panel.figure, "train-loss").y) == 0  # a new rate clears the old run
    assert panel.figure.layout.yaxis2.tickvals is None
    panel.epochs = 300
    panel.train_button.click()
    assert "too large" in panel.message.value
    climbed = np.array(trace(panel.figure, "train-loss").y)
    assert 0 < len(climbed) < 300 and climbed.max() > 1e6
    assert np.all(np.isfinite(climbed))
    assert panel.figure.layout.yaxis2.tickvals is None  # decades: powers of ten


def test_the_loss_axis_is_labelled_within_the_span_of_a_run():
    # the default run falls from about 3 to 0.3: powers of ten labelled it "1" alone
    assert [t for t in _loss_ticks([2.9, 0.31]) if 0.31 <= t <= 2.9] == [0.5, 1.0, 2.0]
    assert _loss_ticks([0.5, 1e7]) is None and _loss_ticks([]) is None


def test_clicks_that_came_during_a_training_run_are_dropped(monkeypatch):
    """Thirty queued Train clicks once kept a core busy long after their visitor had left
    (the red-team report, 3.5): the kernel handles a queued click right after the run ends,
    and that click is dropped; a click after the visitor saw the result, or after a new
    learning rate, trains again."""
    import featurize.panels._base as base
    import featurize.panels.fitting as fitting_panel

    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(base, "monotonic", lambda: clock.now)
    runs = []

    def slow_training(rate, epochs, data):
        runs.append(rate)
        clock.now += 3.4  # what one run of the page costs
        return iter(())

    monkeypatch.setattr(fitting_panel, "train_network", slow_training)
    panel = NetworkPanel()
    for _ in range(30):
        panel.train_button.click()  # queued: handled back to back
    assert len(runs) == 1
    clock.now += 1.0  # a person reads the curve, then clicks
    panel.train_button.click()
    assert len(runs) == 2
    panel.learning_rate.value = panel.learning_rate.value / 10  # changed: a new request
    panel.train_button.click()
    assert len(runs) == 3
