"""Crystals in the structural demos: how they are built, what SOAP and the Coulomb matrices
make of them, and the panel that switches between water and a crystal."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

import featurize as fz
from featurize import FeaturizeError

ANGLES = [(30, -75, 170), (0, 0, 90), (-120, 45, 10)]
CELL_CHOICES = [("Si", "diamond", 5.43), ("NaCl", "rocksalt", 5.64), ("Cu", "fcc", 3.61)]


def relative_difference(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def sine_matrix_by_hand(atoms):
    """Faber et al. (2015): M_ij = Z_i Z_j / |B · Σ_k e_k sin²(π e_k · B⁻¹ (r_i − r_j))|."""
    z = atoms.numbers.astype(float)
    cell = np.asarray(atoms.cell)  # rows: the lattice vectors
    differences = atoms.positions[:, None] - atoms.positions[None]
    fractional = differences @ np.linalg.inv(cell)  # r = f · B
    phi = np.linalg.norm(np.sin(np.pi * fractional) ** 2 @ cell, axis=-1)
    matrix = np.zeros((len(atoms), len(atoms)))
    off = ~np.eye(len(atoms), dtype=bool)
    matrix[off] = np.outer(z, z)[off] / phi[off]
    np.fill_diagonal(matrix, 0.5 * z**2.4)
    return matrix


# -- building them ----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "structure", "lattice_constant"), CELL_CHOICES)
def test_the_demo_crystals_are_ases_cubic_cells(name, structure, lattice_constant):
    atoms = fz.crystal(name)
    assert fz.DEMO_CRYSTALS[name] == (structure, lattice_constant)
    expected = bulk(name, structure, a=lattice_constant, cubic=True)
    np.testing.assert_array_equal(atoms.positions, expected.positions)
    np.testing.assert_allclose(atoms.cell.lengths(), [lattice_constant] * 3)
    assert atoms.pbc.all() and len(atoms) == {"Si": 8, "NaCl": 8, "Cu": 4}[name]


def test_rattled_crystals_move_a_little_and_always_the_same_way():
    at_rest, rattled = fz.crystal("Si"), fz.crystal("Si", rattled=True)
    shift = np.linalg.norm(rattled.positions - at_rest.positions, axis=1)
    assert 0 < shift.max() < 0.25  # Å, against a 2.35 Å bond
    np.testing.assert_array_equal(rattled.positions, fz.crystal("Si", rattled=True).positions)


def test_demo_structures_are_water_and_the_crystals():
    structures = fz.demo_structures()
    assert list(structures) == ["water (molecule)", "Si (diamond)", "NaCl (rock salt)", "Cu (fcc)"]
    assert not structures["water (molecule)"].pbc.any()
    assert all(atoms.pbc.all() for label, atoms in structures.items() if "water" not in label)
    rattled = fz.demo_structures(rattled=True)
    np.testing.assert_array_equal(
        rattled["water (molecule)"].positions, structures["water (molecule)"].positions
    )


def test_an_unknown_crystal_is_a_clear_error():
    with pytest.raises(FeaturizeError, match=r"'Fe'.*Si, NaCl, Cu.*ase.build.bulk"):
        fz.crystal("Fe")


# -- SOAP sees the crystal, whichever cell describes it ---------------------------------
@pytest.mark.parametrize(("name", "structure", "lattice_constant"), CELL_CHOICES)
def test_soap_of_a_crystal_is_the_same_for_any_cell(name, structure, lattice_constant):
    """Primitive cell (1 or 2 atoms) or cubic cell (4 or 8): the same crystal, the same
    structure-averaged SOAP, because the periodic images are in the sum."""
    primitive = bulk(name, structure, a=lattice_constant)
    cubic = fz.crystal(name)
    assert len(primitive) < len(cubic)
    assert relative_difference(fz.soap(primitive), fz.soap(cubic)) < 1e-10


@pytest.mark.parametrize("name", ["Si", "NaCl", "Cu"])
@pytest.mark.parametrize("angles", ANGLES)
def test_soap_of_a_crystal_is_invariant_when_atoms_and_cell_turn(name, angles):
    atoms = fz.crystal(name)
    order = np.random.default_rng(0).permutation(len(atoms))
    moved = fz.permute(fz.rotate(atoms, angles), order)
    assert relative_difference(fz.soap(moved), fz.soap(atoms)) < 1e-8


# -- the Coulomb matrix does not, its periodic variants do --------------------------------
@pytest.mark.parametrize("name", ["Si", "NaCl", "Cu"])
def test_the_coulomb_matrix_of_a_crystal_ignores_the_cell(name):
    """Its limit for crystals: only the atoms listed, never their periodic images, so the
    matrix is that of the same atoms cut out and isolated, and it depends on the cell chosen."""
    atoms = fz.crystal(name)
    isolated = Atoms(numbers=atoms.numbers, positions=atoms.positions)
    np.testing.assert_allclose(fz.coulomb_matrix(atoms), fz.coulomb_matrix(isolated))
    structure, lattice_constant = fz.DEMO_CRYSTALS[name]
    primitive = bulk(name, structure, a=lattice_constant)
    assert fz.coulomb_matrix(primitive).shape != fz.coulomb_matrix(atoms).shape


@pytest.mark.parametrize("name", ["Si", "NaCl", "Cu"])
def test_the_sine_matrix_is_the_formula(name):
    atoms = fz.rotate(fz.crystal(name, rattled=True), (10, 20, 30))
    np.testing.assert_allclose(fz.sine_matrix(atoms), sine_matrix_by_hand(atoms), rtol=1e-10)


@pytest.mark.parametrize("descriptor", [fz.sine_matrix, fz.ewald_sum_matrix])
@pytest.mark.parametrize("angles", ANGLES)
def test_the_periodic_variants_turn_with_the_cell_and_follow_the_order(descriptor, angles):
    atoms = fz.crystal("NaCl", rattled=True)
    reference = descriptor(atoms)
    assert reference.shape == (8, 8)
    np.testing.assert_allclose(reference, reference.T, atol=1e-9)
    turned = descriptor(fz.rotate(atoms, angles))
    assert relative_difference(turned, reference) < 1e-10
    order = [3, 1, 2, 0, 4, 5, 7, 6]
    np.testing.assert_allclose(
        descriptor(fz.permute(atoms, order)), reference[np.ix_(order, order)], atol=1e-9
    )


def test_the_ewald_sum_sees_the_periodic_images():
    """Unlike the plain matrix, the Ewald sum changes when only the cell around the same
    atoms changes (a crystal pulled apart to twice its volume, atoms kept in place)."""
    atoms = fz.crystal("Cu")
    stretched = atoms.copy()
    stretched.set_cell(np.asarray(atoms.cell) * 2 ** (1 / 3), scale_atoms=False)
    assert relative_difference(fz.ewald_sum_matrix(stretched), fz.ewald_sum_matrix(atoms)) > 0.05
    np.testing.assert_allclose(fz.coulomb_matrix(stretched), fz.coulomb_matrix(atoms))


@pytest.mark.parametrize("descriptor", [fz.sine_matrix, fz.ewald_sum_matrix])
def test_a_periodic_variant_of_a_molecule_is_a_clear_error(descriptor):
    with pytest.raises(FeaturizeError, match=r"made for crystals.*featurize.crystal\('Si'\)"):
        descriptor(fz.molecule("H2O"))
