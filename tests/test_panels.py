"""The panels driven from Python, as a student's mouse would: move a control, read the figure."""

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy import stats

import featurize as fz
import featurize.panels
from featurize.panels import (
    COULOMB_VARIANTS,
    ClassificationPanel,
    ClusteringPanel,
    ComplexityPanel,
    FingerprintPanel,
    LikelihoodPanel,
    MixturePanel,
    NetworkPanel,
    StructurePanel,
    title_slide,
)
from featurize.panels._base import _widget_tree
from featurize.panels._figure import LEAN_PLOTLY_TRACES


def heatmap(panel):
    return np.array(panel.figure.data[0].z, dtype=float)


@pytest.fixture(params=[True, False], ids=["with-3d", "without-3d"])
def show_3d(request):
    return request.param


def test_rotation_changes_the_coordinates_heatmap(show_3d):
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=show_3d)
    before = heatmap(panel)
    np.testing.assert_allclose(before, fz.molecule("H2O").positions)
    assert list(panel.figure.data[0].x) == ["x", "y", "z"]
    assert list(panel.figure.data[0].y) == ["O0", "H1", "H2"]
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
    assert list(coulomb.figure.data[0].y) == ["H0", "O1", "H2"]

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
    assert list(panel.figure.data[0].y) == ["C0", "O1", "H2", "H3", "H4", "H5"]  # labels follow
    panel.descriptor_choice.value = "rows sorted by norm"
    assert panel.relative_distance < 1e-8
    assert panel.figure.data[0].y is None  # sorted rows are no longer atoms: no atom labels
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
    assert list(coordinates.figure.data[0].y) == ["O0", "H1", "H2"]
    assert list(coordinates.figure.data[0].x) == ["x", "y", "z"]
    assert "Raw coordinates" in coordinates.figure.layout.title.text

    def centred(atoms):
        return atoms.positions - atoms.positions.mean(axis=0)

    anonymous = StructurePanel(fz.molecule("H2O"), descriptor=centred, show_3d=False)
    assert anonymous.figure.data[0].y is None and anonymous.figure.data[0].x is None
    assert anonymous.figure.layout.title.text.startswith("centred: 3×3")

    record = Descriptor("Centred (Å)", centred, rows_are_atoms=True, columns=("x", "y", "z"))
    labelled = StructurePanel(fz.molecule("H2O"), descriptor=record, show_3d=False)
    assert list(labelled.figure.data[0].y) == ["O0", "H1", "H2"]
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
    figure, trace = panel.figure, panel.figure.data[0]
    for value in range(-180, 181, 20):
        panel.rotation_x.value = value
    assert panel.figure is figure and panel.figure.data[0] is trace and len(figure.data) == 1


def test_display_hands_the_current_figure_to_the_browser():
    panel = StructurePanel(fz.molecule("H2O"), descriptor=fz.coordinates, show_3d=False)
    panel.rotation_y.value = 30
    bundle = panel._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    np.testing.assert_allclose(np.array(panel.figure._widget_data[0]["z"]), heatmap(panel))


def test_structure_panel_rejects_what_is_not_a_structure():
    with pytest.raises(fz.FeaturizeError, match=r"ase\.Atoms"):
        StructurePanel("H2O", descriptor=fz.coordinates)
    with pytest.raises(fz.FeaturizeError, match="descriptor must be a function"):
        StructurePanel(fz.molecule("H2O"), descriptor="soap")


# -- fingerprints ---------------------------------------------------------------------
def test_fingerprint_heatmap_is_the_32_by_32_bits():
    panel = FingerprintPanel()
    for name, smiles in fz.DEMO_MOLECULES.items():
        panel.molecule_choice.value = smiles
        z = heatmap(panel)
        assert z.shape == (32, 32)
        np.testing.assert_array_equal(z.ravel(), fz.morgan_fingerprint(smiles))
        assert (
            f"<b>{int(fz.morgan_fingerprint(smiles).sum())}</b> of 1024" in panel.summary.value
        ), name


def test_bad_smiles_shows_a_message_and_keeps_the_last_good_state():
    panel = FingerprintPanel()
    panel.smiles.value = fz.DEMO_MOLECULES["Caffeine"]
    before, drawing = heatmap(panel), panel.drawing.value
    panel.smiles.value = "C1CC"  # raises nothing
    assert "is not a valid SMILES: unclosed ring" in panel.message.value
    np.testing.assert_array_equal(heatmap(panel), before)
    assert panel.drawing.value == drawing
    panel.smiles.value = "CCO"
    assert panel.message.value == ""
    assert panel.molecule_choice.value == "CCO"


def test_a_bad_starting_smiles_raises_a_clear_error():
    with pytest.raises(fz.InvalidSmilesError, match="unclosed ring"):
        FingerprintPanel("C1CC")


def test_typed_smiles_is_shown_as_typed():
    panel = FingerprintPanel()
    panel.smiles.value = "c1ccccc1O"  # phenol, not a demo molecule
    assert panel.molecule_choice.label == "(typed)"
    np.testing.assert_array_equal(heatmap(panel).ravel(), fz.morgan_fingerprint("c1ccccc1O"))


def test_choosing_an_on_bit_highlights_its_substructure():
    panel = FingerprintPanel(fz.DEMO_MOLECULES["Aspirin"])
    environments = fz.morgan_bit_atoms(fz.DEMO_MOLECULES["Aspirin"])
    bit = next(b for b, envs in environments.items() if len(envs) == 1 and envs[0][1] == 1)
    panel.on_bit.value = bit
    centre = environments[bit][0][0]
    mol = fz.mol_from_smiles(fz.DEMO_MOLECULES["Aspirin"])
    neighbours = sorted([centre] + [a.GetIdx() for a in mol.GetAtomWithIdx(centre).GetNeighbors()])
    assert panel.highlighted_atoms == neighbours
    assert (panel.figure.data[1].x[0], panel.figure.data[1].y[0]) == (bit % 32, bit // 32)
    assert "<svg" in panel.drawing.value
    assert panel.bit_note.value == ""


def test_a_bit_collision_is_shown_and_named():
    """Caffeine's bit 33 is set by a ring environment of radius 2 and by the methyl carbons:
    two substructures the folded fingerprint cannot tell apart."""
    panel = FingerprintPanel(fz.DEMO_MOLECULES["Caffeine"])
    label = dict((value, text) for text, value in panel.on_bit.options)[33]
    assert label == "bit 33 (2 different environments: a collision)"
    panel.on_bit.value = 33
    highlighted = set(panel.highlighted_atoms)
    assert {0, 9, 13, 4} <= highlighted  # the three methyl carbons and the ring centre
    assert (
        "collision" in panel.bit_note.value and "2 different substructures" in panel.bit_note.value
    )


def test_clicking_a_heatmap_cell_selects_that_bit():
    panel = FingerprintPanel()
    bit = max(fz.morgan_bit_atoms("CCO"))

    class Points:
        xs, ys = [bit % 32], [bit // 32]

    panel._clicked(None, Points, None)
    assert panel.on_bit.value == bit


def test_comparison_shows_shared_bits_and_tanimoto():
    panel = FingerprintPanel(fz.DEMO_MOLECULES["Aspirin"])
    panel.compare_choice.value = fz.DEMO_MOLECULES["Acetic acid"]
    a = fz.morgan_fingerprint(fz.DEMO_MOLECULES["Aspirin"])
    b = fz.morgan_fingerprint(fz.DEMO_MOLECULES["Acetic acid"])
    assert f"Tanimoto similarity <b>{fz.tanimoto(a, b):.3f}</b>" in panel.summary.value
    assert f"shared: <b>{int(np.count_nonzero(a & b))}</b>" in panel.summary.value
    z = heatmap(panel).ravel()
    np.testing.assert_array_equal(z == 3, (a & b).astype(bool))
    np.testing.assert_array_equal(z == 2, (b & ~a.astype(bool)).astype(bool))
    panel.compare_smiles.value = "C1CC"
    assert "Comparison:" in panel.message.value
    panel.compare_choice.value = ""
    assert "Tanimoto" not in panel.summary.value


# -- likelihood -----------------------------------------------------------------------
def test_likelihood_bar_equals_the_function():
    panel = LikelihoodPanel()
    data = fz.sample_data()
    for mu, sigma in [(4.0, 2.0), (5.5, 0.8), (3.2, 1.35)]:
        panel.mu.value, panel.sigma.value = mu, sigma
        assert panel.bar_value == pytest.approx(
            fz.gaussian_log_likelihood(data, mu, sigma), rel=1e-12
        )
        curve = np.array(panel.figure.data[panel.MODEL].y)
        np.testing.assert_allclose(curve, stats.norm.pdf(panel.grid, mu, sigma))


def test_jump_to_the_maximum():
    panel = LikelihoodPanel()
    panel.jump.click()
    mu, sigma = fz.gaussian_mle(fz.sample_data())
    assert (panel.mu.value, panel.sigma.value) == pytest.approx((mu, sigma), abs=1e-12)
    assert panel.log_likelihood == pytest.approx(panel.best)
    panel.mu.value += 0.5
    assert panel.log_likelihood < panel.best


def test_sigma_cannot_reach_zero():
    panel = LikelihoodPanel()
    panel.sigma.value = 0
    assert panel.sigma.value > 0 and np.isfinite(panel.log_likelihood)


def test_title_slide_comes_from_the_deck_settings():
    html = title_slide().data
    for key in ("title", "subtitle", "author", "course", "date", "credit", "licence"):
        assert fz.DECK[key].replace("'", "&#x27;") in html
    # the lecture this deck follows is credited on its first slide
    assert "P. De Angelis" in html and "Politecnico di Torino" in html and "02QZSND" in html


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


def from_the_browser(widget, **state):
    """Deliver a state update the way the widget protocol does (ipywidgets' _handle_msg)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


def every_panel():
    return [
        StructurePanel(fz.molecule("H2O"), descriptor=fz.soap, show_3d=False),
        StructurePanel(fz.molecule("H2O"), descriptor=COULOMB_VARIANTS, show_3d=False),
        FingerprintPanel(),
        LikelihoodPanel(),
        ClassificationPanel(),
        ClusteringPanel(),
        MixturePanel(),
        ComplexityPanel(),
        NetworkPanel(),
    ]


@pytest.mark.parametrize("panel", every_panel(), ids=lambda p: type(p).__name__)
def test_a_value_of_the_wrong_type_from_the_browser_becomes_a_message(panel):
    panel._repr_mimebundle_()  # displayed: from now on the browser can talk to it
    controls = [w for w in _widget_tree(panel.widget) if "value" in w.keys and w.description]
    assert controls
    for control in controls:
        kept = control.value
        panel.clear_message()
        from_the_browser(control, value={"not": "a value"})
        assert control.value == kept
        assert "cannot take" in panel.message.value, control.description


@pytest.mark.parametrize("panel", every_panel(), ids=lambda p: type(p).__name__)
def test_every_trace_a_panel_draws_is_in_the_lean_plotly_build(panel):
    figures = [w for w in _widget_tree(panel.widget) if isinstance(w, go.FigureWidget)]
    assert figures
    for figure in figures:
        assert {trace.type for trace in figure.data} <= LEAN_PLOTLY_TRACES


def test_no_panel_adds_a_trace_outside_the_lean_plotly_build():
    """Also the panels that need data sets (the map, the learning curve): read their code."""
    named = set()
    for source in Path(featurize.panels.__file__).parent.glob("*.py"):
        text = source.read_text()
        # add_class is ipywidgets' (a CSS class on a widget), not a trace
        named |= set(re.findall(r"\badd_([a-z0-9]+)\(", text)) - {
            "annotation",
            "hline",
            "shape",
            "class",
        }
        named |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][a-z0-9]+)\(", text)}
    named -= {"figurewidget", "layout", "figure", "label"}
    assert named and named <= LEAN_PLOTLY_TRACES, named - LEAN_PLOTLY_TRACES


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
