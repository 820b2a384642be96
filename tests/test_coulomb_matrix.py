"""The Coulomb matrix against the slide's formula, and its (non-)invariances."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import featurize
from featurize import FeaturizeError, coulomb_matrix, permute, rotate


def slide_formula(atoms):
    """M_ii = 0.5 Z_i^2.4, M_ij = Z_i Z_j / R_ij with R in Å, computed without DScribe."""
    z = atoms.get_atomic_numbers().astype(float)
    r = atoms.get_positions()
    n = len(atoms)
    m = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            if i == j:
                m[i, j] = 0.5 * z[i] ** 2.4
            else:
                m[i, j] = z[i] * z[j] / np.linalg.norm(r[i] - r[j])
    return m


@pytest.mark.parametrize("name", ["H2O", "CH4", "C6H6", "CH3CH2OH", "NH3"])
def test_matches_the_slide_formula(name):
    atoms = featurize.molecule(name)
    np.testing.assert_allclose(coulomb_matrix(atoms), slide_formula(atoms), rtol=0, atol=1e-10)


def test_water_numbers_by_hand(water):
    m = coulomb_matrix(water)
    assert m.shape == (3, 3)
    assert m[0, 0] == pytest.approx(0.5 * 8**2.4)  # oxygen self-energy, 73.517
    assert m[1, 1] == pytest.approx(0.5)  # hydrogen: 0.5 * 1^2.4
    r_oh = np.linalg.norm(water.positions[0] - water.positions[1])
    assert m[0, 1] == pytest.approx(8 / r_oh)


def test_invariant_under_rotation_and_translation(ethanol):
    reference = coulomb_matrix(ethanol)
    moved = rotate(ethanol, (31, -77, 150))
    moved.translate((4.0, -2.5, 10.0))
    np.testing.assert_allclose(coulomb_matrix(moved), reference, rtol=1e-12, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(9)))
def test_permutation_gives_p_m_pt(order):
    atoms = featurize.atoms_from_smiles("CCO")
    p = np.eye(len(atoms))[list(order)]
    expected = p @ coulomb_matrix(atoms) @ p.T
    np.testing.assert_allclose(coulomb_matrix(permute(atoms, order)), expected, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(9)))
def test_sorted_and_eigenspectrum_are_permutation_invariant(order):
    atoms = featurize.atoms_from_smiles("CCO")
    shuffled = permute(atoms, order)
    for variant in ("sorted_l2", "eigenspectrum"):
        np.testing.assert_allclose(
            coulomb_matrix(shuffled, variant), coulomb_matrix(atoms, variant), atol=1e-10
        )


def test_eigenspectrum_is_the_eigenvalues(water):
    eigenvalues = coulomb_matrix(water, "eigenspectrum")
    assert eigenvalues.shape == (3,)
    np.testing.assert_allclose(
        np.sort(eigenvalues), np.sort(np.linalg.eigvalsh(slide_formula(water))), atol=1e-10
    )


def test_plain_matrix_does_change_under_permutation(water):
    assert not np.allclose(coulomb_matrix(permute(water, [1, 0, 2])), coulomb_matrix(water))


@pytest.mark.parametrize("bad", ["random", "sorted", "", None])
def test_unknown_permutation_is_a_clear_error(water, bad):
    with pytest.raises(FeaturizeError, match="none, sorted_l2, eigenspectrum"):
        coulomb_matrix(water, bad)


@pytest.mark.parametrize("bad", [None, "H2O", []])
def test_not_a_structure_is_a_clear_error(bad):
    with pytest.raises(FeaturizeError, match=r"ase\.Atoms"):
        coulomb_matrix(bad)


def test_many_structures_give_one_padded_row_each(water, ethanol):
    """As DScribe's create: a list gives (n_structures, n_atoms_max²), each structure's
    matrix in the top-left corner of a zero-padded n_atoms_max × n_atoms_max block."""
    rows = coulomb_matrix([water, ethanol])
    width = len(ethanol)
    assert rows.shape == (2, width * width)
    for atoms, row in zip([water, ethanol], rows, strict=True):
        block = row.reshape(width, width)
        n = len(atoms)
        np.testing.assert_allclose(block[:n, :n], slide_formula(atoms), rtol=1e-12)
        assert not block[n:].any() and not block[:, n:].any()
    eigen = coulomb_matrix([water, ethanol], "eigenspectrum", n_atoms_max=12)
    assert eigen.shape == (2, 12)
    np.testing.assert_allclose(eigen[0, :3], coulomb_matrix(water, "eigenspectrum"))


def test_many_structures_report_progress_and_check_the_width(water, ethanol):
    seen = []
    coulomb_matrix([water] * 300, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(250, 300), (300, 300)]
    with pytest.raises(FeaturizeError, match="n_atoms_max=3 is too small"):
        coulomb_matrix([water, ethanol], n_atoms_max=3)
    with pytest.raises(FeaturizeError, match="empty"):
        coulomb_matrix([])
