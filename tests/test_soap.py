"""SOAP: size, invariances, periodic crystals and clear errors."""

import numpy as np
import pytest
from ase import Atoms
from hypothesis import given, settings
from hypothesis import strategies as st

import featurize
from featurize import FeaturizeError, permute, rotate, soap


def relative_difference(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_water_has_220_features_with_the_slide_settings(water):
    vector = soap(water)
    assert vector.shape == (220,)
    assert np.all(np.isfinite(vector)) and np.linalg.norm(vector) > 0
    assert featurize.SOAP_R_CUT == 6.0
    assert (featurize.SOAP_N_MAX, featurize.SOAP_L_MAX) == (5, 3)


def test_explicit_species_equal_to_the_default(water):
    np.testing.assert_array_equal(soap(water, species=["O", "H"]), soap(water))


def test_more_species_gives_a_longer_vector(water):
    # three species: 3 same-species blocks of 15 (n ≤ n') and 3 cross blocks of 25, each × 4 l
    assert soap(water, species=["H", "C", "O"]).shape == ((3 * 15 + 3 * 25) * 4,)


@settings(max_examples=30, deadline=None)
@given(
    angles=st.tuples(*[st.floats(-180, 180, allow_nan=False)] * 3),
    order=st.permutations(range(9)),
)
def test_invariant_under_rotation_and_permutation(angles, order):
    atoms = featurize.atoms_from_smiles("CCO")
    reference = soap(atoms)
    moved = permute(rotate(atoms, angles), order)
    assert relative_difference(soap(moved), reference) < 1e-8


def test_distinguishes_different_molecules(water):
    other = featurize.molecule("H2O2")
    assert relative_difference(soap(other), soap(water)) > 1e-2


def test_periodic_crystal(copper):
    vector = soap(copper)
    assert vector.shape == (1 * 15 * 4,)
    # the periodic images matter: the same atom alone without pbc looks very different
    isolated = Atoms("Cu", positions=[(0, 0, 0)])
    assert relative_difference(soap(isolated), vector) > 0.5
    # a crystal is invariant under rotating atoms and cell together
    assert relative_difference(soap(rotate(copper, (10, 20, 30))), vector) < 1e-8


def test_periodic_flag_without_a_cell_is_a_clear_error(water):
    water.pbc = True
    with pytest.raises(FeaturizeError, match="no full 3-D cell"):
        soap(water)


def test_element_outside_species_is_a_clear_error(water):
    with pytest.raises(FeaturizeError, match=r"contains O, but SOAP was set up for species H only"):
        soap(water, species=["H"])


@pytest.mark.parametrize("species", [["H", "Xx"], [], ["h", "o"]])
def test_unknown_species_is_a_clear_error(water, species):
    with pytest.raises(FeaturizeError, match="element symbols"):
        soap(water, species=species)


def test_bad_settings_are_a_clear_error(water):
    with pytest.raises(FeaturizeError, match="r_cut > 1"):
        soap(water, sigma=0)


def test_many_structures_give_one_row_each_over_their_species(water):
    """A list gives (n_structures, d) with the species of all of them, each row what the
    structure alone gives with those species."""
    methane = featurize.molecule("CH4")
    rows = soap([water, methane])
    assert rows.shape == (2, len(soap(water, species=["H", "C", "O"])))
    for atoms, row in zip([water, methane], rows, strict=True):
        np.testing.assert_allclose(row, soap(atoms, species=["H", "C", "O"]), rtol=1e-12)


def test_many_structures_must_agree_on_periodicity(water, copper):
    with pytest.raises(FeaturizeError, match="Some structures are periodic"):
        soap([water, copper])
