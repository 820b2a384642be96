"""featurize.panels.fingerprint: choose or type a molecule, read its bits back."""

import numpy as np
import pytest

import featurize as fz
from featurize.panels import FingerprintPanel
from featurize.panels._figure import trace


def bits(panel) -> np.ndarray:
    return np.array(trace(panel.figure, "bits").z, dtype=float)


def test_fingerprint_heatmap_is_the_32_by_32_bits():
    panel = FingerprintPanel()
    for name, smiles in fz.DEMO_MOLECULES.items():
        panel.molecule_choice.value = smiles
        z = bits(panel)
        assert z.shape == (32, 32)
        np.testing.assert_array_equal(z.ravel(), fz.morgan_fingerprint(smiles))
        assert (
            f"<b>{int(fz.morgan_fingerprint(smiles).sum())}</b> of 1024" in panel.summary.value
        ), name


def test_bad_smiles_shows_a_message_and_keeps_the_last_good_state():
    panel = FingerprintPanel()
    panel.smiles.value = fz.DEMO_MOLECULES["Caffeine"]
    before, drawing = bits(panel), panel.drawing.value
    panel.smiles.value = "C1CC"  # raises nothing
    assert "is not a valid SMILES: unclosed ring" in panel.message.value
    np.testing.assert_array_equal(bits(panel), before)
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
    np.testing.assert_array_equal(bits(panel).ravel(), fz.morgan_fingerprint("c1ccccc1O"))


def test_choosing_an_on_bit_highlights_its_substructure():
    panel = FingerprintPanel(fz.DEMO_MOLECULES["Aspirin"])
    environments = fz.morgan_bit_atoms(fz.DEMO_MOLECULES["Aspirin"])
    bit = next(b for b, envs in environments.items() if len(envs) == 1 and envs[0][1] == 1)
    panel.on_bit.value = bit
    centre = environments[bit][0][0]
    mol = fz.mol_from_smiles(fz.DEMO_MOLECULES["Aspirin"])
    neighbours = sorted([centre] + [a.GetIdx() for a in mol.GetAtomWithIdx(centre).GetNeighbors()])
    assert panel.highlighted_atoms == neighbours
    assert (trace(panel.figure, "chosen-bit").x[0], trace(panel.figure, "chosen-bit").y[0]) == (
        bit % 32,
        bit // 32,
    )
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

    panel._on_click(None, Points, None)
    assert panel.on_bit.value == bit


def test_comparison_shows_shared_bits_and_tanimoto():
    panel = FingerprintPanel(fz.DEMO_MOLECULES["Aspirin"])
    panel.compare_choice.value = fz.DEMO_MOLECULES["Acetic acid"]
    a = fz.morgan_fingerprint(fz.DEMO_MOLECULES["Aspirin"])
    b = fz.morgan_fingerprint(fz.DEMO_MOLECULES["Acetic acid"])
    assert f"Tanimoto similarity <b>{fz.tanimoto(a, b):.3f}</b>" in panel.summary.value
    assert f"shared: <b>{int(np.count_nonzero(a & b))}</b>" in panel.summary.value
    z = bits(panel).ravel()
    np.testing.assert_array_equal(z == 3, (a & b).astype(bool))
    np.testing.assert_array_equal(z == 2, (b & ~a.astype(bool)).astype(bool))
    panel.compare_smiles.value = "C1CC"
    assert "Comparison:" in panel.message.value
    panel.compare_choice.value = ""
    assert "Tanimoto" not in panel.summary.value
