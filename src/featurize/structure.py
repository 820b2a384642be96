"""Moving and re-labelling a structure: rotation about the centre of mass, atom order."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from ase import Atoms

from .errors import FeaturizeError
from .settings import ATOM_ORDER_LIMIT


def coordinates(atoms: Atoms) -> np.ndarray:
    """The raw-coordinate descriptor M_ij = (R_i)_j: an (n, 3) array of positions in Å."""
    return atoms.get_positions()


def rotation_matrix(angles_deg: Sequence[float]) -> np.ndarray:
    """The 3×3 matrix that rotates about x, then y, then z (fixed axes), angles in degrees."""
    try:
        angles = np.asarray(angles_deg, dtype=float)
    except (TypeError, ValueError):
        angles = None
    if angles is None or angles.shape != (3,) or not np.all(np.isfinite(angles)):
        raise FeaturizeError(
            f"Rotation angles must be three finite numbers (x, y, z in degrees), not {angles_deg!r}."
        )
    # R = Rz @ Ry @ Rx: scipy's Rotation.from_euler("xyz", angles, degrees=True), written
    # out so that turning a molecule does not cost a kernel scipy.spatial (~40 MB).
    radians = np.radians(angles)
    cos_x, cos_y, cos_z = np.cos(radians)
    sin_x, sin_y, sin_z = np.sin(radians)
    about_x = np.array([[1.0, 0.0, 0.0], [0.0, cos_x, -sin_x], [0.0, sin_x, cos_x]])
    about_y = np.array([[cos_y, 0.0, sin_y], [0.0, 1.0, 0.0], [-sin_y, 0.0, cos_y]])
    about_z = np.array([[cos_z, -sin_z, 0.0], [sin_z, cos_z, 0.0], [0.0, 0.0, 1.0]])
    return about_z @ about_y @ about_x


def rotate(atoms: Atoms, angles_deg: Sequence[float]) -> Atoms:
    """A rotated copy: x, y, z angles in degrees, about the centre of mass, no other shift."""
    matrix = rotation_matrix(angles_deg)
    rotated = atoms.copy()
    centre = atoms.get_center_of_mass()
    rotated.set_positions((atoms.get_positions() - centre) @ matrix.T + centre)
    if atoms.cell.rank:  # a crystal turns with its cell, or its periodic images would not
        rotated.set_cell(np.asarray(atoms.cell) @ matrix.T)
    return rotated


def permute(atoms: Atoms, order: Sequence[int]) -> Atoms:
    """A copy with the atoms re-ordered: new atom k is old atom order[k]."""
    n = len(atoms)
    try:
        indices = [int(i) for i in order]
    except (TypeError, ValueError):
        indices = None
    if (
        indices is None
        or sorted(indices) != list(range(n))
        or any(i != o for i, o in zip(indices, order, strict=True))
    ):
        raise FeaturizeError(
            f"An atom order must list each index 0…{n - 1} exactly once, not {order!r}."
        )
    return atoms[indices]


def atom_orders(atoms: Atoms, limit: int = ATOM_ORDER_LIMIT) -> list[tuple[str, list[int]]]:
    """Labelled atom orders, the original first, at most `limit`: [("O0-H1-H2", [0, 1, 2]), …]."""
    if not isinstance(limit, int) or limit < 1:
        raise FeaturizeError(f"limit must be a whole number of at least 1, not {limit!r}.")
    symbols = atoms.get_chemical_symbols()
    orders = itertools.islice(itertools.permutations(range(len(atoms))), limit)
    return [("-".join(f"{symbols[i]}{i}" for i in order), list(order)) for order in orders]
