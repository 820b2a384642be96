"""featurize.panels.structure: rotate and re-order a molecule or a crystal, read the heatmap back."""

import numpy as np
import pytest

import featurize as fz
from featurize.panels import COULOMB_VARIANTS, COULOMB_VARIANTS_WITH_PERIODIC, StructurePanel
from featurize.panels._figure import trace

from . import comms_opened, from_the_browser

ANGLES = [(30, -75, 170), (0, 0, 90), (-120, 45, 10)]


@pytest.fixture(params=[True, False], ids=["with-3d", "without-3d"])
def show_3d(request):
    return request.param


def drawn(panel):
    """The heatmap's trace."""
    return trace(panel.figure, "descriptor")


def heatmap(panel) -> np.ndarray:
    return np.array(drawn(panel).z, dtype=float)


def test_rotation_changes_the_coordinates_heatmap(show_3d):
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=show_3d)
    before = heatmap(panel)
    np.testing.assert_allclose(before, fz.molecule("H2O").positions)
    assert list(drawn(panel).x) == ["x", "y", "z"]
    assert list(drawn(panel).y) == ["O0", "H1", "H2"]
    panel.rotation_z.value = 45
    after = heatmap(panel)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, fz.rotate(fz.molecule("H2O"), (0, 0, 45)).positions)
    assert panel.relative_distance > 0.1
    assert "changed" in panel.readout.value


@pytest.mark.parametrize("descriptor", [fz.coulomb_matrix, fz.soap])
def test_rotation_leaves_invariant_descriptors_at_zero(descriptor):
    panel = StructurePanel(fz.molecule("H2O"), descriptor=descriptor, show_3d=False)
    for angles in [(30, 0, 0), (30, -75, 0), (30, -75, 170)]:
        for slider, value in zip(panel.sliders, angles, strict=True):
            slider.value = value
        assert panel.relative_distance <= 1e-8
    assert "(unchanged)" in panel.readout.value


def test_atom_order_changes_coulomb_matrix_but_not_soap():
    order = (1, 0, 2)
    coulomb = StructurePanel(fz.molecule("H2O"), descriptor=fz.coulomb_matrix, show_3d=False)
    coulomb.atom_order.value = order
    assert coulomb.relative_distance > 0.1
    np.testing.assert_allclose(
        heatmap(coulomb), fz.coulomb_matrix(fz.permute(fz.molecule("H2O"), order))
    )
    assert list(drawn(coulomb).y) == ["H0", "O1", "H2"]

    smooth = StructurePanel(fz.molecule("H2O"), descriptor=fz.soap, show_3d=False)
    smooth.atom_order.value = order
    smooth.rotation_y.value = 60
    assert smooth.relative_distance <= 1e-8


def test_soap_is_padded_into_a_15_by_15_square():
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.soap, show_3d=False)
    z = heatmap(panel)
    assert z.shape == (15, 15)
    assert np.isnan(z).sum() == 225 - 220
    np.testing.assert_allclose(z.ravel()[:220], fz.soap(fz.molecule("H2O")))


def test_every_water_order_is_offered():
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)
    assert len(panel.atom_order.options) == 6


def test_switching_between_coulomb_matrix_variants():
    panel = StructurePanel(fz.molecule("CH3OH"), descriptor=COULOMB_VARIANTS, show_3d=False)
    assert panel.descriptor_choice.options == ("as ordered", "rows sorted by norm", "eigenvalues")
    panel.atom_order.value = panel.atom_order.options[5][1]
    assert panel.relative_distance > 0.01  # as ordered: follows the atom order
    assert list(drawn(panel).y) == ["C0", "O1", "H2", "H3", "H4", "H5"]  # labels follow
    panel.descriptor_choice.value = "rows sorted by norm"
    assert panel.relative_distance < 1e-8
    assert drawn(panel).y is None  # sorted rows are no longer atoms: no atom labels
    panel.descriptor_choice.value = "eigenvalues"
    assert panel.relative_distance < 1e-8
    assert heatmap(panel).shape == (3, 3)  # 6 eigenvalues padded into a square
    np.testing.assert_allclose(
        np.sort(heatmap(panel).ravel()[:6]),
        np.sort(np.linalg.eigvalsh(fz.coulomb_matrix(fz.molecule("CH3OH")))),
    )
    panel.rotation_z.value = 90
    assert panel.relative_distance < 1e-8


def test_a_descriptor_error_is_shown_not_raised():
    def refuses_a_leading_hydrogen(atoms):
        species = ["H", "O"] if atoms[0].symbol == "O" else ["H"]
        return fz.soap(atoms, species=species)

    panel = StructurePanel(fz.molecule("H2O"), descriptor=refuses_a_leading_hydrogen, show_3d=False)
    before = heatmap(panel)
    panel.atom_order.value = (1, 0, 2)  # now the first atom is H: the descriptor refuses
    assert "SOAP was set up for species H only" in panel.message.value
    np.testing.assert_array_equal(heatmap(panel), before)  # the last good state stays
    panel.atom_order.value = (0, 1, 2)
    assert panel.message.value == ""


def test_what_the_panel_knows_of_a_descriptor_comes_from_its_record():
    """The package's functions bring their labels (atom rows, x/y/z columns); any other
    function of a structure is drawn without atom labels rather than with wrong ones; a
    Descriptor record says it all itself."""
    from featurize.panels.structure import Descriptor

    coordinates = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)
    assert list(drawn(coordinates).y) == ["O0", "H1", "H2"]
    assert list(drawn(coordinates).x) == ["x", "y", "z"]
    assert "Raw coordinates" in coordinates.figure.layout.title.text

    def centred(atoms):
        return atoms.positions - atoms.positions.mean(axis=0)

    anonymous = StructurePanel(fz.molecule("H2O"), descriptor=centred, show_3d=False)
    assert drawn(anonymous).y is None and drawn(anonymous).x is None
    assert anonymous.figure.layout.title.text.startswith("centred: 3×3")

    record = Descriptor("Centred (Å)", centred, rows_are_atoms=True, columns=("x", "y", "z"))
    labelled = StructurePanel(fz.molecule("H2O"), descriptor=record, show_3d=False)
    assert list(drawn(labelled).y) == ["O0", "H1", "H2"]
    assert labelled.figure.layout.title.text == "Centred (Å): 3×3"


def test_the_3d_view_follows_the_sliders():
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates)
    panel.rotation_x.value = 90
    shown = np.asarray(panel.view._coordinates_dict[0])
    np.testing.assert_allclose(
        shown, fz.rotate(fz.molecule("H2O"), (90, 0, 0)).positions, atol=1e-5
    )
    panel.atom_order.value = (2, 0, 1)
    assert panel.view._atom_labels == ["1", "2", "0"]  # original atom k is now number …


def test_updates_never_rebuild_the_figure():
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coulomb_matrix, show_3d=False)
    figure, heatmap_trace = panel.figure, drawn(panel)
    for value in range(-180, 181, 20):
        panel.rotation_x.value = value
    assert panel.figure is figure and drawn(panel) is heatmap_trace and len(figure.data) == 1


def test_display_hands_the_current_figure_to_the_browser():
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)
    panel.rotation_y.value = 30
    bundle = panel._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    (sent,) = [each for each in panel.figure._widget_data if each["uid"] == "descriptor"]
    np.testing.assert_allclose(np.array(sent["z"]), heatmap(panel))


def test_structure_panel_rejects_what_is_not_a_structure():
    with pytest.raises(fz.FeaturizeError, match=r"ase\.Atoms"):
        StructurePanel("H2O", descriptor=fz.coordinates)
    with pytest.raises(fz.FeaturizeError, match="descriptor must be a function"):
        StructurePanel(fz.molecule("H2O"), descriptor="soap")


def test_nglview_asks_for_the_browser_module_that_is_installed():
    import json
    from pathlib import Path

    from jupyter_core.paths import jupyter_path

    packages = [
        Path(p, "nglview-js-widgets", "package.json") for p in jupyter_path("labextensions")
    ]
    installed = json.loads(next(p for p in packages if p.is_file()).read_text())["version"]
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates)  # imports nglview
    import nglview

    assert panel.view._model_module_version == installed
    assert panel.view._view_module_version == installed
    assert nglview.color.ColormakerRegistry._model_module_version == installed


@pytest.mark.parametrize("descriptor", [fz.coordinates, fz.coulomb_matrix, fz.soap])
def test_figure_state_is_valid_json(descriptor):
    # NaN is not JSON: the kernel would warn in front of the class and drop the update
    import json

    panel = StructurePanel(fz.molecule("H2O"), descriptor=descriptor, show_3d=False)
    panel.rotation_x.value = 25
    panel._repr_mimebundle_()
    json.dumps(panel.figure._widget_data, allow_nan=False)
    json.dumps(panel.figure.to_plotly_json()["data"][0]["z"], allow_nan=False)


def test_an_index_out_of_range_from_the_browser_becomes_a_message():
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)
    panel._repr_mimebundle_()
    order = panel.atom_order.index
    from_the_browser(panel.atom_order, index=99)
    assert panel.atom_order.index == order
    assert "atom order" in panel.message.value
    from_the_browser(panel.rotation_x, value=1e9)  # clamped by the slider itself
    assert panel.rotation_x.value == panel.rotation_x.max
    np.testing.assert_allclose(
        heatmap(panel), fz.rotate(fz.molecule("H2O"), (panel.rotation_x.max, 0, 0)).positions
    )


# -- crystals ---------------------------------------------------------------------------
def test_the_panel_switches_from_water_to_a_crystal_and_back():
    panel = StructurePanel(fz.demo_structures(), descriptor=fz.soap)
    assert panel.structure_choice.value == "water (molecule)"
    view = panel.view
    panel.structure_choice.value = "Si (diamond)"
    assert len(panel.current_atoms) == 8 and panel.current_atoms.pbc.all()
    assert len(panel.atom_order.options) == 24 and panel.atom_order.index == 0
    assert panel.values.shape == (60,)  # one species: 15 radial pairs × 4 l
    assert panel.view is not view and panel.plots.children == (panel.figure_column, panel.view)
    for slider, value in zip(panel.sliders, ANGLES[0], strict=True):
        slider.value = value
    assert panel.relative_distance < 1e-8 and "(unchanged)" in panel.readout.value
    # the cell turns with the atoms
    np.testing.assert_allclose(
        np.asarray(panel.current_atoms.cell),
        np.asarray(fz.crystal("Si").cell) @ fz.rotation_matrix(ANGLES[0]).T,
        atol=1e-12,
    )
    panel.structure_choice.value = "water (molecule)"
    assert panel.values.shape == (220,) and panel.relative_distance < 1e-8


def test_a_3d_view_taken_off_the_page_stays_open_until_the_next_change():
    # its browser view reports to it while being torn down: closed at once, each report
    # threw "no comm channel defined" onto the page
    panel = StructurePanel(fz.demo_structures(), descriptor=fz.coulomb_matrix)
    water = panel.view
    panel.structure_choice.value = "NaCl (rock salt)"
    salt = panel.view
    assert water not in panel.plots.children and water.comm is not None
    panel.structure_choice.value = "Cu (fcc)"
    assert water.comm is None and salt.comm is not None


def test_the_coulomb_page_offers_the_periodic_variants_for_a_crystal_only():
    panel = StructurePanel(
        fz.demo_structures(), descriptor=COULOMB_VARIANTS_WITH_PERIODIC, show_3d=False
    )
    panel.descriptor_choice.value = "sine matrix"
    assert "made for crystals" in panel.message.value  # water has no cell
    assert panel.plots.layout.display == "none"
    panel.structure_choice.value = "NaCl (rock salt)"
    assert panel.message.value == "" and panel.plots.layout.display is None
    assert panel.values.shape == (8, 8)
    panel.rotation_y.value = 40
    assert panel.relative_distance < 1e-8
    assert panel.atom_order.options[1][0].endswith("Cl7-Na6")  # a Na and a Cl swap places
    panel.atom_order.index = 1
    assert "(changed)" in panel.readout.value  # rows follow the atoms, as the plain matrix's


@pytest.mark.parametrize("kind", ["molecule", "crystal"])
def test_the_3d_view_opens_its_comm_with_its_player_and_fullscreen_button(kind, monkeypatch):
    """A browser's view made from the state the comm opens with (Voila draws an output as
    soon as the comm is open) looks its player and fullscreen button up by reference: with
    either still unset it failed on null (featurize.panels._late_comm)."""
    from ase.build import bulk

    from featurize.panels._view import structure_view

    opened = comms_opened(monkeypatch)
    view = structure_view(fz.molecule("H2O") if kind == "molecule" else bulk("Cu"))
    (state,) = [each for each in opened if each.get("_model_name") == "NGLModel"]
    assert state["_iplayer"].startswith("IPY_MODEL_")
    assert state["_ibtn_fullscreen"].startswith("IPY_MODEL_")
    assert sum(each.get("_model_name") == "ButtonModel" for each in opened) == 1  # one button
    assert view.comm is not None
