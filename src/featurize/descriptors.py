"""Structure descriptors with DScribe as the engine: the Coulomb matrix, its periodic
variants for crystals (sine matrix, Ewald sum matrix) and SOAP."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from .errors import FeaturizeError
from .settings import SOAP_L_MAX, SOAP_N_MAX, SOAP_R_CUT, SOAP_SIGMA

if TYPE_CHECKING:
    from dscribe.descriptors import SOAP, CoulombMatrix, EwaldSumMatrix, SineMatrix

COULOMB_PERMUTATIONS = ("none", "sorted_l2", "eigenspectrum")


@lru_cache(maxsize=64)
def _coulomb_engine(n_atoms: int, permutation: str) -> CoulombMatrix:
    # Imported on first use: DScribe adds ~70 MB to a kernel, and the demo pages that
    # show coordinates, fingerprints or the likelihood never call it.
    from dscribe.descriptors import CoulombMatrix

    return CoulombMatrix(n_atoms_max=n_atoms, permutation=permutation)


def coulomb_matrix(atoms: Atoms, permutation: str = "none") -> np.ndarray:
    """The Coulomb matrix, (n, n): M_ii = 0.5 Z_i^2.4, M_ij = Z_i Z_j / R_ij (R in Å).

    permutation "none" keeps the atom order, "sorted_l2" sorts rows and columns by their
    norm, "eigenspectrum" returns the n eigenvalues instead of the matrix.
    """
    if permutation not in COULOMB_PERMUTATIONS:
        raise FeaturizeError(
            f"Unknown Coulomb-matrix permutation {permutation!r}; "
            f"choose one of {', '.join(COULOMB_PERMUTATIONS)}."
        )
    n = _require_atoms(atoms)
    values = _coulomb_engine(n, permutation).create(atoms)
    return values if permutation == "eigenspectrum" else values.reshape(n, n)


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
    atoms: Atoms,
    species: Sequence[str] | None = None,
    r_cut: float = SOAP_R_CUT,
    n_max: int = SOAP_N_MAX,
    l_max: int = SOAP_L_MAX,
    sigma: float = SOAP_SIGMA,
) -> np.ndarray:
    """The structure-averaged SOAP power spectrum: the mean of every atom's spectrum.

    (DScribe's average="outer"; a 1-D vector, 220 numbers for H and O with the defaults.)

    species defaults to the structure's own elements; r_cut and sigma in Å. The structure
    is treated as periodic only when atoms.pbc says so (a molecule needs no cell).
    """
    _require_atoms(atoms)
    present = sorted(set(atoms.get_chemical_symbols()), key=atomic_numbers.__getitem__)
    chosen = tuple(present if species is None else _check_species(species))
    missing = [symbol for symbol in present if symbol not in chosen]
    if missing:
        raise FeaturizeError(
            f"This structure contains {', '.join(missing)}, but SOAP was set up for species "
            f"{', '.join(chosen)} only. Add {', '.join(missing)} to species (or leave species "
            "unset to use the structure's own elements)."
        )
    periodic = bool(atoms.pbc.any())
    if periodic and atoms.cell.rank < 3:
        raise FeaturizeError(
            "The structure is marked periodic (pbc) but has no full 3-D cell; set a cell, "
            "or set pbc=False for a molecule."
        )
    if not (r_cut > 1 and sigma > 0 and n_max >= 1 and l_max >= 0):
        raise FeaturizeError(
            f"SOAP needs r_cut > 1 Å, sigma > 0 Å, n_max ≥ 1 and l_max ≥ 0; got r_cut={r_cut}, "
            f"sigma={sigma}, n_max={n_max}, l_max={l_max}."
        )
    engine = _soap_engine(chosen, float(r_cut), int(n_max), int(l_max), float(sigma), periodic)
    return engine.create(atoms)


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
