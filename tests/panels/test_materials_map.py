"""featurize.panels.materials_map: choose a set, a descriptor and a projection; click a point."""

from types import SimpleNamespace

import nglview
import numpy as np
import pytest

from featurize import FeaturizeError, maps
from featurize import datasets as ds
from featurize.panels import materials_map as map_panel
from featurize.panels._figure import trace
from featurize.panels.materials_map import G2_CHOICE, MaterialsMapPanel

from . import no_qm9

pytestmark = pytest.mark.usefixtures("cache")  # tests/conftest.py


def points(panel):
    molecules = trace(panel.figure, "molecules")
    return np.column_stack([molecules.x, molecules.y])


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
    assert trace(panel.figure, "molecules").marker.colorbar.title.text == "number of atoms"
    panel.descriptor_choice.value = "soap"
    np.testing.assert_allclose(points(panel), maps.materials_map(qm9, "soap", "PCA"))
    assert "SOAP" in panel.figure.layout.title.text
    assert panel.progress.value == 100
    # the chosen molecule stays chosen, and its ring moves with the map
    ring = trace(panel.figure, "chosen")
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
    ring = trace(panel.figure, "chosen")
    np.testing.assert_allclose([ring.x[0], ring.y[0]], points(panel)[benzene])


def test_clicking_a_point_selects_it():
    panel = MaterialsMapPanel(G2_CHOICE, show_3d=False)

    panel._on_click(trace(panel.figure, "molecules"), SimpleNamespace(point_inds=[6]), None)
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
