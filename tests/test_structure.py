"""Raw coordinates, rotation about the centre of mass, and atom orders."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import featurize
from featurize import FeaturizeError, atom_orders, coordinates, permute, rotate

angle = st.floats(-360, 360, allow_nan=False)


def axis_rotation(axis, degrees):
    """Rotation about one coordinate axis, written out by hand (not scipy)."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def test_coordinates_are_the_positions_in_angstrom(water):
    xyz = coordinates(water)
    assert xyz.shape == (3, 3)
    np.testing.assert_array_equal(xyz, water.positions)
    xyz[0, 0] = 99.0  # a copy: changing it leaves the molecule alone
    assert water.positions[0, 0] != 99.0


@settings(max_examples=60, deadline=None)
@given(x=angle, y=angle, z=angle)
def test_rotation_is_r_times_r_about_the_centre_of_mass(x, y, z):
    atoms = featurize.molecule("CH3CH2OH")
    centre = atoms.get_center_of_mass()
    matrix = axis_rotation(2, z) @ axis_rotation(1, y) @ axis_rotation(0, x)  # x first
    expected = (atoms.positions - centre) @ matrix.T + centre
    rotated = rotate(atoms, (x, y, z))
    np.testing.assert_allclose(coordinates(rotated), expected, atol=1e-9)
    np.testing.assert_allclose(rotated.get_center_of_mass(), centre, atol=1e-9)
    assert rotated is not atoms


def test_rotation_matrix_is_scipys_xyz_euler_convention():
    from scipy.spatial.transform import Rotation  # the reference; featurize needs no scipy

    rng = np.random.default_rng(0)
    angles = [*rng.uniform(-360, 360, size=(200, 3)), (0, 0, 0), (90, -90, 180), (360, 0, -45)]
    for xyz in angles:
        expected = Rotation.from_euler("xyz", xyz, degrees=True).as_matrix()
        np.testing.assert_allclose(featurize.rotation_matrix(xyz), expected, atol=1e-12)


def test_rotation_leaves_the_original_alone(water):
    before = water.positions.copy()
    rotate(water, (90, 0, 0))
    np.testing.assert_array_equal(water.positions, before)


def test_ninety_degrees_about_z_by_hand():
    atoms = featurize.molecule("H2O")
    atoms.positions -= atoms.get_center_of_mass()
    rotated = rotate(atoms, (0, 0, 90))
    # (x, y, z) → (−y, x, z)
    np.testing.assert_allclose(
        rotated.positions, atoms.positions[:, [1, 0, 2]] * [-1, 1, 1], atol=1e-12
    )


def test_raw_coordinates_change_under_rotation(water):
    assert not np.allclose(coordinates(rotate(water, (0, 0, 30))), coordinates(water))


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(9)))
def test_permute_reorders_rows(order):
    atoms = featurize.atoms_from_smiles("CCO")
    shuffled = permute(atoms, order)
    np.testing.assert_array_equal(coordinates(shuffled), coordinates(atoms)[list(order)])
    assert shuffled.get_chemical_symbols() == [atoms[i].symbol for i in order]


@pytest.mark.parametrize("order", [[0, 1], [0, 1, 1], [0, 1, 3], [0, 1.5, 2], "012", None])
def test_bad_order_is_a_clear_error(water, order):
    with pytest.raises(FeaturizeError, match="each index 0…2 exactly once"):
        permute(water, order)


@pytest.mark.parametrize("angles", [(1, 2), (1, 2, 3, 4), ("a", 0, 0), (np.nan, 0, 0), None])
def test_bad_angles_are_a_clear_error(water, angles):
    with pytest.raises(FeaturizeError, match="three finite numbers"):
        rotate(water, angles)


def test_all_six_orders_of_water(water):
    orders = atom_orders(water)
    assert len(orders) == 6
    assert orders[0] == ("O0-H1-H2", [0, 1, 2])
    assert sorted(tuple(order) for _, order in orders) == sorted(
        [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
    )
    assert ("H2-O0-H1", [2, 0, 1]) in orders


def test_orders_are_limited_for_larger_molecules():
    benzene = featurize.molecule("C6H6")
    orders = atom_orders(benzene, limit=24)
    assert len(orders) == 24
    assert len({tuple(order) for _, order in orders}) == 24
    with pytest.raises(FeaturizeError, match="at least 1"):
        atom_orders(benzene, limit=0)
