"""Structure descriptors with DScribe as the engine: the Coulomb matrix, its periodic
variants for crystals (sine matrix, Ewald sum matrix) and SOAP.

Like DScribe's own `create`, coulomb_matrix and soap take one structure or many: one gives
its array, many a (n_structures, d) array with one zero-padded, flattened row each.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from .errors import FeaturizeError
from .progress import Progress
from .settings import SOAP_L_MAX, SOAP_N_MAX, SOAP_R_CUT, SOAP_SIGMA

if TYPE_CHECKING:
    from dscribe.descriptors import SOAP, CoulombMatrix, EwaldSumMatrix, SineMatrix

COULOMB_PERMUTATIONS = ("none", "sorted_l2", "eigenspectrum")
# Structures per DScribe call for many: progress moves every fraction of a second.
CHUNK = 250


@lru_cache(maxsize=64)
def _coulomb_engine(n_atoms: int, permutation: str) -> CoulombMatrix:
    # Imported on first use: DScribe adds ~70 MB to a kernel, and the demo pages that
    # show coordinates, fingerprints or the likelihood never call it.
    from dscribe.descriptors import CoulombMatrix

    return CoulombMatrix(n_atoms_max=n_atoms, permutation=permutation)


def coulomb_matrix(
    structures: Atoms | Sequence[Atoms],
    permutation: str = "none",
    n_atoms_max: int | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """The Coulomb matrix: M_ii = 0.5 Z_i^2.4, M_ij = Z_i Z_j / R_ij (R in the positions'
    unit, Å for ASE).

    permutation "none" keeps the atom order, "sorted_l2" sorts rows and columns by their
    norm, "eigenspectrum" gives the eigenvalues (largest |λ| first) instead of the matrix.
    One structure: (n, n), or (n,) eigenvalues. Many: (n_structures, n_atoms_max²), or
    (n_structures, n_atoms_max), each zero-padded to n_atoms_max atoms (default: the
    largest structure's), so that every row compares.
    """
    if permutation not in COULOMB_PERMUTATIONS:
        raise FeaturizeError(
            f"Unknown Coulomb-matrix permutation {permutation!r}; "
            f"choose one of {', '.join(COULOMB_PERMUTATIONS)}."
        )
    if isinstance(structures, Atoms):
        n = _require_atoms(structures)
        values = _coulomb_engine(n, permutation).create(structures)
        return values if permutation == "eigenspectrum" else values.reshape(n, n)
    many = _require_many(structures)
    largest = max(len(atoms) for atoms in many)
    width = largest if n_atoms_max is None else int(n_atoms_max)
    if width < largest:
        raise FeaturizeError(
            f"A structure has {largest} atoms; n_atoms_max={width} is too small for it."
        )
    return _in_chunks(_coulomb_engine(width, permutation), many, progress)


# The Coulomb matrix's periodic variants, for crystals (Faber, Lindmaa, von Lilienfeld,
# Armiento, Int. J. Quantum Chem. 115, 1094 (2015)): name → DScribe class.
PERIODIC_COULOMB_KINDS = ("sine", "ewald")


@lru_cache(maxsize=64)
def _periodic_engine(kind: str, n_atoms: int) -> SineMatrix | EwaldSumMatrix:
    from dscribe.descriptors import EwaldSumMatrix, SineMatrix  # on first use, as above

    engine = SineMatrix if kind == "sine" else EwaldSumMatrix
    return engine(n_atoms_max=n_atoms, permutation="none")


def sine_matrix(atoms: Atoms) -> np.ndarray:
    """The sine matrix of a crystal, (n, n): the Coulomb matrix with 1/R_ij replaced by a
    periodic function of the atoms' positions in the cell (DScribe's SineMatrix).

    M_ii = 0.5 Z_i^2.4; M_ij = Z_i Z_j / |B · Σ_k e_k sin²(π e_k · B⁻¹ (r_i − r_j))|, B the cell.
    """
    return _periodic_coulomb(atoms, "sine")


def ewald_sum_matrix(atoms: Atoms) -> np.ndarray:
    """The Ewald sum matrix of a crystal, (n, n), in e²/Å: the Coulomb energy of nuclei i and
    j with each other's periodic images, in a neutralizing background, summed by Ewald's
    method (DScribe's EwaldSumMatrix at its default accuracy)."""
    return _periodic_coulomb(atoms, "ewald")


def _periodic_coulomb(atoms: Atoms, kind: str) -> np.ndarray:
    n = _require_atoms(atoms)
    name = "sine matrix" if kind == "sine" else "Ewald sum matrix"
    if not atoms.pbc.all() or atoms.cell.rank < 3:
        raise FeaturizeError(
            f"The {name} is made for crystals, and this structure is not periodic in all three "
            "directions (atoms.pbc with a full 3-D cell). Choose a crystal, such as "
            "featurize.crystal('Si'), or the plain Coulomb matrix for a molecule."
        )
    with warnings.catch_warnings():
        # DScribe asks ASE for atoms.get_calculator(), which ASE now calls deprecated
        warnings.filterwarnings("ignore", message="Please use atoms.calc", category=FutureWarning)
        values = _periodic_engine(kind, n).create(_as_dscribe_reads_it(atoms))
    return np.asarray(values).reshape(n, n)


def _as_dscribe_reads_it(atoms: Atoms) -> Atoms:
    """A copy (numbers, positions, cell, pbc) that DScribe 2.1's System.from_atoms can read.

    It hands ASE's Atoms its calculator and info by position, where ASE ≥ 3.26 expects info
    and velocities: an info dict arrives as velocities and ASE refuses it ("Use only one of
    'momenta' and 'velocities'", SINGROUP/dscribe#165). With info None, both arrive as None.
    """
    copy = Atoms(numbers=atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    copy.info = None
    return copy


@lru_cache(maxsize=64)
def _soap_engine(
    species: tuple[str, ...], r_cut: float, n_max: int, l_max: int, sigma: float, periodic: bool
) -> SOAP:
    from dscribe.descriptors import SOAP  # on first use, as above

    return SOAP(
        species=list(species),
        r_cut=r_cut,
        n_max=n_max,
        l_max=l_max,
        sigma=sigma,
        periodic=periodic,
        average="outer",
    )


def soap(
    structures: Atoms | Sequence[Atoms],
    species: Sequence[str] | None = None,
    r_cut: float = SOAP_R_CUT,
    n_max: int = SOAP_N_MAX,
    l_max: int = SOAP_L_MAX,
    sigma: float = SOAP_SIGMA,
    progress: Progress | None = None,
) -> np.ndarray:
    """The structure-averaged SOAP power spectrum: the mean of every atom's spectrum
    (DScribe's average="outer"; 220 numbers for H and O with the defaults).

    One structure: a 1-D vector. Many: (n_structures, d), one row each, all with the same
    species. species defaults to the structures' own elements; r_cut and sigma in Å. A
    structure is treated as periodic only when atoms.pbc says so (a molecule needs no
    cell); many structures must agree on it.
    """
    many = [structures] if isinstance(structures, Atoms) else _require_many(structures)
    for atoms in many:
        _require_atoms(atoms)
    present = sorted(
        {symbol for atoms in many for symbol in atoms.get_chemical_symbols()},
        key=atomic_numbers.__getitem__,
    )
    chosen = tuple(present if species is None else _check_species(species))
    missing = [symbol for symbol in present if symbol not in chosen]
    if missing:
        which = "This structure contains" if len(many) == 1 else "The structures contain"
        raise FeaturizeError(
            f"{which} {', '.join(missing)}, but SOAP was set up for species "
            f"{', '.join(chosen)} only. Add {', '.join(missing)} to species (or leave species "
            "unset to use the structures' own elements)."
        )
    periodic = {bool(atoms.pbc.any()) for atoms in many}
    if len(periodic) > 1:
        raise FeaturizeError(
            "Some structures are periodic (pbc) and some are not; SOAP them separately, or "
            "set the same pbc on all."
        )
    if True in periodic and any(atoms.cell.rank < 3 for atoms in many):
        raise FeaturizeError(
            "The structure is marked periodic (pbc) but has no full 3-D cell; set a cell, "
            "or set pbc=False for a molecule."
        )
    if not (r_cut > 1 and sigma > 0 and n_max >= 1 and l_max >= 0):
        raise FeaturizeError(
            f"SOAP needs r_cut > 1 Å, sigma > 0 Å, n_max ≥ 1 and l_max ≥ 0; got r_cut={r_cut}, "
            f"sigma={sigma}, n_max={n_max}, l_max={l_max}."
        )
    engine = _soap_engine(
        chosen, float(r_cut), int(n_max), int(l_max), float(sigma), periodic == {True}
    )
    if isinstance(structures, Atoms):
        return engine.create(structures)
    return _in_chunks(engine, many, progress)


def _in_chunks(engine, structures: list[Atoms], progress: Progress | None) -> np.ndarray:
    rows = []
    for start in range(0, len(structures), CHUNK):
        block = structures[start : start + CHUNK]
        rows.append(np.asarray(engine.create(block, n_jobs=1)).reshape(len(block), -1))
        if progress is not None:
            progress(start + len(block), len(structures))
    return np.concatenate(rows)


def _require_many(structures) -> list[Atoms]:
    """A non-empty list of ase.Atoms (each checked), from any sequence of them."""
    if isinstance(structures, (str, bytes)) or not isinstance(structures, Sequence):
        raise FeaturizeError(
            f"Expected an ase.Atoms structure or a list of them, not {structures!r}; "
            "build one with featurize.molecule('H2O')."
        )
    many = list(structures)
    if not many:
        raise FeaturizeError(
            "Expected an ase.Atoms structure or a list of them; this list is empty."
        )
    for atoms in many:
        _require_atoms(atoms)
    return many


def _check_species(species: Sequence[str]) -> list[str]:
    if isinstance(species, str):
        species = [species]
    unknown = [s for s in species if s not in atomic_numbers]
    if unknown or not species:
        raise FeaturizeError(
            f"species must be element symbols such as ['H', 'O']; not understood: {unknown or species!r}."
        )
    return sorted(set(species), key=atomic_numbers.__getitem__)


def _require_atoms(atoms: Atoms) -> int:
    if not isinstance(atoms, Atoms) or len(atoms) == 0:
        raise FeaturizeError(
            f"Expected an ase.Atoms structure with at least one atom, not {atoms!r}; "
            "build one with featurize.molecule('H2O') or featurize.atoms_from_smiles('CCO')."
        )
    return len(atoms)
