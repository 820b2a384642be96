"""The map and learning-curve panels driven from Python: choose, click, train, read back."""

from types import SimpleNamespace

import nglview
import numpy as np
import pytest

from featurize import FeaturizeError, maps
from featurize import datasets as ds
from featurize import regression as rg
from featurize.cache import CACHE_ENVIRONMENT_VARIABLE
from featurize.panels import learning_curve as lc_panel
from featurize.panels import materials_map as map_panel
from featurize.panels.learning_curve import LearningCurvePanel
from featurize.panels.materials_map import G2_CHOICE, MaterialsMapPanel

pytestmark = pytest.mark.usefixtures("cache")  # tests/conftest.py


@pytest.fixture(scope="module")
def qm9_regression(qm9):
    return rg.Qm9Regression(qm9)


def points(panel):
    trace = panel.figure.data[panel.POINTS]
    return np.column_stack([trace.x, trace.y])


def no_qm9(*_args, **_kwargs):
    raise ds.DataMissingError("QM9 comes with the Python package 'qm9pack', which is not installed")


# -- the map --------------------------------------------------------------------------
def test_map_opens_on_qm9_with_ethanol_chosen(qm9):
    panel = MaterialsMapPanel(show_3d=False)
    np.testing.assert_allclose(points(panel), maps.materials_map(qm9, "coulomb_eigenvalues"))
    np.testing.assert_array_equal(panel.colour_values, qm9.atomization_energy)
    assert panel.dataset.names[panel.selected] == "CCO"
    assert "C2H6O" in panel.readout.value and "kcal/mol" in panel.readout.value
    assert panel.progress.layout.visibility == "hidden"
    assert panel.figure.layout.xaxis.title.text == "principal component 1"


def test_dropdowns_change_the_figure(qm9):
    panel = MaterialsMapPanel(show_3d=False)
    panel.colour_choice.value = "number of atoms"
    np.testing.assert_array_equal(panel.colour_values, qm9.n_atoms)
    assert panel.figure.data[0].marker.colorbar.title.text == "number of atoms"
    panel.descriptor_choice.value = "soap"
    np.testing.assert_allclose(points(panel), maps.materials_map(qm9, "soap", "PCA"))
    assert "SOAP" in panel.figure.layout.title.text
    assert panel.progress.value == 100
    # the chosen molecule stays chosen, and its ring moves with the map
    ring = panel.figure.data[panel.SELECTED]
    np.testing.assert_allclose([ring.x[0], ring.y[0]], points(panel)[panel.selected])


def test_tsne_on_g2(qm9):
    panel = MaterialsMapPanel(G2_CHOICE, show_3d=False)
    assert len(points(panel)) == 148
    assert panel.dataset.names[panel.selected] == "CH3CH2OH"
    panel.projection_choice.value = "t-SNE"
    g2 = ds.g2_set()
    np.testing.assert_allclose(
        points(panel), maps.materials_map(g2, "coulomb_eigenvalues", "t-SNE")
    )
    assert panel.figure.layout.xaxis.title.text == "t-SNE axis 1"


def test_selecting_a_point_shows_that_molecule_in_3d(qm9):
    panel = MaterialsMapPanel()
    first_view = panel.view
    assert isinstance(first_view, nglview.NGLWidget)
    benzene = qm9.names.index("C1=CC=CC=C1")
    panel.select(benzene)
    np.testing.assert_array_equal(panel.shown_atoms.positions, qm9.molecules[benzene].positions)
    assert panel.view is not first_view and panel.view_box.children == (panel.view,)
    assert "C6H6" in panel.readout.value
    energy = qm9.atomization_energy[benzene]
    assert f"{energy:.1f} kcal/mol" in panel.readout.value
    ring = panel.figure.data[panel.SELECTED]
    np.testing.assert_allclose([ring.x[0], ring.y[0]], points(panel)[benzene])


def test_clicking_a_point_selects_it():
    panel = MaterialsMapPanel(G2_CHOICE, show_3d=False)

    panel._clicked(panel.figure.data[0], SimpleNamespace(point_inds=[6]), None)
    assert panel.dataset.names[panel.selected] == "CH4"
    assert "Methane" in panel.readout.value


@pytest.mark.parametrize("typed", ["c1ccccc1", "C1=CC=CC=C1"])
def test_typing_a_smiles_finds_the_molecule(qm9, typed):
    panel = MaterialsMapPanel(show_3d=False)
    panel.search.value = typed
    assert panel.dataset.names[panel.selected] == "C1=CC=CC=C1"
    assert panel.message.value == ""


def test_bad_input_shows_a_message_and_keeps_the_choice():
    panel = MaterialsMapPanel(show_3d=False)
    before = panel.selected
    panel.search.value = "C1CC"
    assert "neither a name" in panel.message.value and "unclosed ring" in panel.message.value
    panel.search.value = "CCCCCCCCCC"
    assert "no molecule of the set has that structure" in panel.message.value
    panel.select(5000)
    assert "no molecule number 5000" in panel.message.value
    panel.select("CCO")
    assert "by its number" in panel.message.value
    assert panel.selected == before
    panel.select(0)
    assert panel.message.value == "" and panel.selected == 0
    panel.search.value = "C" * 2_000_000  # the red-team report, 3.2: 9 MB echoed back
    assert "2000000 characters long" in panel.message.value
    assert len(panel.message.value) < 500 and panel.selected == 0


def test_without_qm9_the_map_falls_back_on_g2(monkeypatch):
    monkeypatch.setattr(map_panel, "qm9_set", no_qm9)
    panel = MaterialsMapPanel(show_3d=False)
    assert "not installed" in panel.message.value
    assert panel.dataset_choice.value == G2_CHOICE and len(points(panel)) == 148


def test_a_descriptor_that_fails_is_a_message(qm9, monkeypatch):
    panel = MaterialsMapPanel(show_3d=False)
    before = points(panel)

    def refuses(*_args, **_kwargs):
        raise FeaturizeError("SOAP was set up for H, C only")

    monkeypatch.setattr(map_panel, "materials_map", refuses)
    panel.descriptor_choice.value = "soap"
    assert "SOAP was set up" in panel.message.value
    assert panel.descriptor_choice.value == "coulomb_eigenvalues"  # back to what is shown
    np.testing.assert_array_equal(points(panel), before)


def test_a_set_of_your_own(qm9):
    small = qm9.subset(range(40), label="the first 40")
    panel = MaterialsMapPanel(small, show_3d=False)
    assert panel.dataset_choice.value == "the first 40"
    assert len(points(panel)) == 40


# -- the learning curve -----------------------------------------------------------------
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
    data = panel.figure.data
    assert list(data[panel.CURVE[HANSEN]].x) == [100, 200, 400, 800, 1500]
    assert list(data[panel.CURVE[HANSEN]].y) == [27.0, 21.0, 14.5, 10.5, 7.5]
    assert list(data[panel.CURVE[RUPP]].y) == [22.0, 17.5, 15.5, 14.5, 13.0]
    assert data[panel.CURVE[RUPP]].name == "eigenvalues + Gaussian (Rupp 2012)"
    assert data[panel.CURVE[HANSEN]].name == "sorted matrix + Laplacian (Hansen 2013)"
    paper = data[panel.PAPER]
    assert (paper.x[0], paper.y[0]) == (7000, 9.9)
    assert "QM7" in paper.name and "eigenvalues + Gaussian" in paper.name
    assert (data[panel.G2[HANSEN]].x[0], data[panel.G2[HANSEN]].y[0]) == (111, 51.8)
    assert data[panel.G2[RUPP]].y[0] == 129.0
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
    assert {key: run.n_train for key, run in panel.run.items()} == {RUPP: 200, HANSEN: 200}
    panel.n_train.value = 400
    for key in (RUPP, HANSEN):
        parity = panel.figure.data[panel.PARITY[key]]
        reference, predicted = np.array(parity.x), np.array(parity.y)
        np.testing.assert_array_equal(reference, qm9_regression.energies[qm9_regression.test])
        assert parity.text[0] == qm9_regression.dataset.descriptions[qm9_regression.test[0]]
        mae = np.mean(np.abs(predicted - reference))
        assert panel.run[key].test_mae == pytest.approx(mae)
        assert f"<b>{mae:.1f} kcal/mol</b>" in panel.readout.value
        np.testing.assert_allclose(
            panel.live_mae(key), [[200, 400], [panel.runs[key, 200].test_mae, mae]]
        )
        assert 10 < mae < 20
    assert panel.progress.layout.visibility == "hidden"


def test_compute_the_curve_when_there_is_none(qm9_regression, monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENVIRONMENT_VARIABLE, str(tmp_path))

    def short_curve(**kwargs):  # three small sizes: the test stays fast
        return rg.learning_curve(sizes=(25, 50, 200), **kwargs)

    monkeypatch.setattr(lc_panel, "learning_curve", short_curve)
    panel = LearningCurvePanel(qm9_regression)
    assert panel.curve is None and panel.compute_button.layout.display is None
    assert len(panel.figure.data[panel.CURVE[HANSEN]].x) == 0
    assert panel.g2[HANSEN][0] == 111 and "G2" in panel.readout.value  # small: trained at once
    panel.compute_button.click()
    for key in (RUPP, HANSEN):
        assert list(panel.figure.data[panel.CURVE[key]].x) == [25, 50, 200]
        # reused, the same run
        assert panel.figure.data[panel.CURVE[key]].y[2] == panel.runs[key, 200].test_mae
    assert (tmp_path / rg.LEARNING_CURVE_FILE).is_file()
    assert panel.compute_button.layout.display == "none"


def test_a_bad_training_size_is_a_message(qm9_regression):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    panel.train(5)
    assert "Choose between 10 and 2921" in panel.message.value
    assert panel.run[HANSEN].n_train == 200


def test_without_qm9_the_learning_curve_panel_says_so(monkeypatch):
    monkeypatch.setattr(lc_panel, "qm9_set", no_qm9)
    panel = LearningCurvePanel(curve=made_up_curve())
    assert "not installed" in panel.message.value
    assert panel.n_train.disabled and panel.run == {}
    assert list(panel.figure.data[panel.CURVE[HANSEN]].y)[-1] == 7.5  # the stored curve shows
    assert "QM7" in panel.readout.value


def test_display_hands_the_current_figures_to_the_browser(qm9_regression):
    panel = LearningCurvePanel(qm9_regression, curve=made_up_curve())
    panel.n_train.value = 100
    bundle = panel._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    for key in (RUPP, HANSEN):
        sent = panel.figure._widget_data[panel.LIVE[key]]
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
    figure = panel.figure
    deltas = [
        {
            "uid": trace.uid,
            "index": i,
            **{k: browser_echo(trace[k]) for k in ("x", "y") if trace[k] is not None},
        }
        for i, trace in enumerate(figure.data)
    ]
    report = {"trace_deltas": deltas, "trace_edit_id": figure._last_trace_edit_id}
    figure.set_state({"_js2py_traceDeltas": report})
    assert panel.message.value == ""
    assert panel.run[HANSEN].n_train == 100
