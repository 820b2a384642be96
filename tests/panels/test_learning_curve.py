"""featurize.panels.learning_curve: both recipes' curves, and both models trained live."""

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from featurize import regression as rg
from featurize.cache import CACHE_ENVIRONMENT_VARIABLE
from featurize.panels import learning_curve as lc_panel
from featurize.panels._figure import trace
from featurize.panels.learning_curve import LearningCurvePanel

from . import no_qm9

pytestmark = pytest.mark.usefixtures("cache")  # tests/conftest.py


@pytest.fixture(scope="module")
def qm9_regression(qm9):
    return rg.Qm9Regression(qm9)


RUPP, HANSEN = "rupp2012", "hansen2013"


def made_up_curve():
    recipe_curve = rg.RecipeCurve(
        test_mae=(27.0, 21.0, 14.5, 10.5, 7.5),
        cv_mae=(30.0, 23.0, 16.0, 11.0, 8.0),
        gamma=(1e-4,) * 5,
        alpha=(1e-9,) * 5,
        g2_test_mae=51.8,
    )
    eigen_curve = rg.RecipeCurve(
        test_mae=(22.0, 17.5, 15.5, 14.5, 13.0),
        cv_mae=(23.0, 18.0, 15.0, 14.0, 13.5),
        gamma=(1e-6,) * 5,
        alpha=(1e-9,) * 5,
        g2_test_mae=129.0,
    )
    return rg.LearningCurve(
        dataset="test",
        n_test=1000,
        sizes=(100, 200, 400, 800, 1500),
        curves={RUPP: eigen_curve, HANSEN: recipe_curve},
        g2_n_train=111,
        g2_n_test=37,
        settings=rg.learning_curve_settings(),
    )


def test_learning_curve_panel_draws_both_curves_and_the_paper(qm9_regression):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    rupp, hansen = trace(panel.figure, f"curve-{RUPP}"), trace(panel.figure, f"curve-{HANSEN}")
    assert list(hansen.x) == [100, 200, 400, 800, 1500]
    assert list(hansen.y) == [27.0, 21.0, 14.5, 10.5, 7.5]
    assert list(rupp.y) == [22.0, 17.5, 15.5, 14.5, 13.0]
    assert rupp.name == "eigenvalues + Gaussian (Rupp 2012)"  # the legend's words
    assert hansen.name == "sorted matrix + Laplacian (Hansen 2013)"
    paper = trace(panel.figure, "paper")
    assert (paper.x[0], paper.y[0]) == (7000, 9.9)
    assert "QM7" in paper.name and "eigenvalues + Gaussian" in paper.name
    g2 = trace(panel.figure, f"g2-{HANSEN}")
    assert (g2.x[0], g2.y[0]) == (111, 51.8)
    assert trace(panel.figure, f"g2-{RUPP}").y[0] == 129.0
    assert panel.figure.layout.xaxis.type == "log" and panel.figure.layout.yaxis.type == "log"
    assert panel.compute_button.layout.display == "none"  # nothing left to compute


def test_the_readout_never_says_the_paper_is_reproduced_or_beaten(qm9_regression):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    text = panel.readout.value
    for claim in ("better than", "beat", "reproduce"):
        assert claim not in text.lower()
    for fact in ("QM7", "C, N, O, S", "PBE0", "C, N, O, F", "B3LYP", "U0 − ZPVE"):
        assert fact in text, fact


def test_the_slider_trains_both_recipes_live(qm9_regression):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    assert {key: run.n_train for key, run in panel.shown_runs.items()} == {RUPP: 200, HANSEN: 200}
    panel.n_train.value = 400
    assert panel.training.wait(timeout=120)  # trained off the kernel's main loop
    for key in (RUPP, HANSEN):
        parity = trace(panel.figure, f"parity-{key}")
        reference, predicted = np.array(parity.x), np.array(parity.y)
        np.testing.assert_array_equal(reference, qm9_regression.energies[qm9_regression.test])
        assert parity.text[0] == qm9_regression.dataset.descriptions[qm9_regression.test[0]]
        mae = np.mean(np.abs(predicted - reference))
        assert panel.shown_runs[key].test_mae == pytest.approx(mae)
        assert f"<b>{mae:.1f} kcal/mol</b>" in panel.readout.value
        np.testing.assert_allclose(
            panel.live_mae(key), [[200, 400], [panel.runs[key, 200].test_mae, mae]]
        )
        assert 10 < mae < 20
    assert panel.progress.layout.visibility == "hidden"


def test_the_slider_returns_at_once_and_the_latest_size_is_trained(qm9_regression, monkeypatch):
    """The slider's handler hands the training to a thread: the kernel's main loop, which
    answers every other demo on the page, is free while it runs; sizes chosen meanwhile are
    replaced by the last one."""
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    release, trained = threading.Event(), []
    run = qm9_regression.run

    def held_run(n_train, key, progress=None):
        trained.append((n_train, key))
        assert release.wait(timeout=60)
        return run(n_train, key, progress)

    monkeypatch.setattr(qm9_regression, "run", held_run)
    panel.n_train.value = 400  # returns while the training waits
    assert panel.training.busy and panel.shown_runs[HANSEN].n_train == 200
    panel.n_train.value = 800
    panel.n_train.value = 100
    release.set()
    assert panel.training.wait(timeout=120)
    assert [n for n, _ in trained] == [400, 400, 100, 100]  # 800 was passed over
    assert {key: run.n_train for key, run in panel.shown_runs.items()} == {RUPP: 100, HANSEN: 100}
    assert panel.progress.layout.visibility == "hidden"


def test_training_that_fails_in_the_background_is_a_message(qm9_regression, monkeypatch):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())

    def broken_run(n_train, key, progress=None):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(qm9_regression, "run", broken_run)
    panel.n_train.value = 400
    assert panel.training.wait(timeout=60)
    assert panel.message.value.count("out of memory") == 1
    assert "RuntimeError" in panel.message.value
    assert panel.shown_runs[HANSEN].n_train == 200


def test_compute_the_curve_when_there_is_none(qm9_regression, monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENVIRONMENT_VARIABLE, str(tmp_path))

    def short_curve(**kwargs):  # three small sizes: the test stays fast
        return rg.learning_curve(sizes=(25, 50, 200), **kwargs)

    monkeypatch.setattr(lc_panel, "learning_curve", short_curve)
    panel = LearningCurvePanel(qm9_regression)
    assert panel.curve is None and panel.compute_button.layout.display is None
    assert len(trace(panel.figure, f"curve-{HANSEN}").x) == 0
    assert panel.g2[HANSEN][0] == 111 and "G2" in panel.readout.value  # small: trained at once
    panel.compute_button.click()
    for key in (RUPP, HANSEN):
        assert list(trace(panel.figure, f"curve-{key}").x) == [25, 50, 200]
        # reused, the same run
        assert trace(panel.figure, f"curve-{key}").y[2] == panel.runs[key, 200].test_mae
    assert (tmp_path / rg.LEARNING_CURVE_FILE).is_file()
    assert panel.compute_button.layout.display == "none"


def test_compute_clicks_that_came_during_the_run_are_dropped(qm9_regression, monkeypatch):
    """Clicks queued while the curve was computed (a minute at full size) are dropped, not
    run one after another for a visitor who may have left (the red-team report, 3.5)."""
    import featurize.panels._base as base

    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(base, "monotonic", lambda: clock.now)
    monkeypatch.setattr(lc_panel, "save_learning_curve", lambda curve: None)
    computed = []

    def slow_curve(**kwargs):
        computed.append(1)
        clock.now += 30.0
        return made_up_curve()

    monkeypatch.setattr(lc_panel, "learning_curve", slow_curve)
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    for _ in range(10):
        panel.compute_button.click()
    assert len(computed) == 1 and not panel.compute_button.disabled
    clock.now += 5.0
    panel.compute_button.click()
    assert len(computed) == 2


def test_a_bad_training_size_is_a_message(qm9_regression):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    panel.train(5)
    assert "Choose between 10 and 2921" in panel.message.value
    assert panel.shown_runs[HANSEN].n_train == 200


def test_without_qm9_the_learning_curve_panel_says_so(monkeypatch):
    monkeypatch.setattr(lc_panel, "qm9_set", no_qm9)
    panel = LearningCurvePanel(curve=made_up_curve())
    assert "not installed" in panel.message.value
    assert panel.n_train.disabled and panel.shown_runs == {}
    assert list(trace(panel.figure, f"curve-{HANSEN}").y)[-1] == 7.5  # the stored curve shows
    assert "QM7" in panel.readout.value


def test_display_hands_the_current_figures_to_the_browser(qm9_regression):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    panel.n_train.value = 100
    assert panel.training.wait(timeout=120)  # trained off the kernel's main loop
    bundle = panel._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    for key in (RUPP, HANSEN):
        (sent,) = [each for each in panel.figure._widget_data if each["uid"] == f"live-{key}"]
        assert list(sent["x"]) == [100, 200]


def browser_echo(values):
    """An array as the browser reports it back: a typed array (what a numpy array becomes
    there) as an {index: value} object, a plain list as a list."""
    if isinstance(values, np.ndarray):
        return {str(i): float(v) for i, v in enumerate(values)}
    return list(values)


def test_retraining_survives_the_browsers_report_of_the_redrawn_traces(qm9_regression):
    # After a redraw plotly's view sends the kernel each trace's drawn state. A trace that
    # held numpy arrays came back as objects that plotly's handler choked on: the page
    # showed "The page sent FigureWidget a value it cannot take" after every retrain.
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    panel._repr_mimebundle_()  # as on the page: refused states become the panel's message
    panel.n_train.value = 100
    assert panel.training.wait(timeout=120)  # trained off the kernel's main loop
    figure = panel.figure
    deltas = [
        {
            "uid": drawn.uid,
            "index": i,
            **{k: browser_echo(drawn[k]) for k in ("x", "y") if drawn[k] is not None},
        }
        for i, drawn in enumerate(figure.data)
    ]
    report = {"trace_deltas": deltas, "trace_edit_id": figure._last_trace_edit_id}
    figure.set_state({"_js2py_traceDeltas": report})
    assert panel.message.value == ""
    assert panel.shown_runs[HANSEN].n_train == 100
