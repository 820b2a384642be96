"""Morgan (ECFP) fingerprints with RDKit's MorganGenerator, and Tanimoto similarity."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .errors import FeaturizeError
from .molecules import mol_from_smiles
from .settings import MORGAN_BITS, MORGAN_RADIUS

if TYPE_CHECKING:
    from rdkit import Chem
    from rdkit.Chem import rdFingerprintGenerator

# RDKit is imported on first use (see featurize.molecules): importing featurize costs none.


@lru_cache(maxsize=16)
def _generator(radius: int, n_bits: int) -> rdFingerprintGenerator.FingerprintGenerator64:
    if not (isinstance(radius, int) and 0 <= radius <= 6):
        raise FeaturizeError(
            f"The Morgan radius must be a whole number from 0 to 6, not {radius!r}."
        )
    if not (isinstance(n_bits, int) and 1 <= n_bits <= 1 << 16):
        raise FeaturizeError(
            f"The bit count must be a whole number from 1 to 65536, not {n_bits!r}."
        )
    from rdkit.Chem import rdFingerprintGenerator

    # RDKit's own defaults are radius 3 / 2048 bits: always pass ours explicitly.
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


def _as_mol(smiles_or_mol: str | Chem.Mol) -> Chem.Mol:
    from rdkit import Chem

    return smiles_or_mol if isinstance(smiles_or_mol, Chem.Mol) else mol_from_smiles(smiles_or_mol)


def morgan_fingerprint(
    smiles_or_mol: str | Chem.Mol, radius: int = MORGAN_RADIUS, n_bits: int = MORGAN_BITS
) -> np.ndarray:
    """The Morgan fingerprint as a (n_bits,) uint8 array of 0/1."""
    return _generator(radius, n_bits).GetFingerprintAsNumPy(_as_mol(smiles_or_mol))


def morgan_bit_atoms(
    smiles_or_mol: str | Chem.Mol, radius: int = MORGAN_RADIUS, n_bits: int = MORGAN_BITS
) -> dict[int, list[tuple[int, int]]]:
    """For every on-bit, the environments that set it: (centre atom index, radius) pairs."""
    from rdkit.Chem import rdFingerprintGenerator

    output = rdFingerprintGenerator.AdditionalOutput()
    output.AllocateBitInfoMap()
    _generator(radius, n_bits).GetFingerprint(_as_mol(smiles_or_mol), additionalOutput=output)
    return {
        int(bit): [(int(atom), int(r)) for atom, r in envs]
        for bit, envs in sorted(output.GetBitInfoMap().items())
    }


def morgan_bit_environments(
    smiles_or_mol: str | Chem.Mol, radius: int = MORGAN_RADIUS, n_bits: int = MORGAN_BITS
) -> dict[int, dict[int, list[tuple[int, int]]]]:
    """For every on-bit, the distinct environments that set it: bit → {environment id:
    [(centre atom index, radius), …]}.

    RDKit hashes each circular environment to a 32-bit id and folds the id into n_bits bits
    (id mod n_bits, which a test checks). Two ids under one bit are a collision: different
    substructures that the fingerprint cannot tell apart. One id with several centres is the
    same substructure found several times (the two CH₃ of acetone), not a collision.
    """
    from rdkit.Chem import rdFingerprintGenerator

    output = rdFingerprintGenerator.AdditionalOutput()
    output.AllocateBitInfoMap()
    _generator(radius, n_bits).GetSparseFingerprint(_as_mol(smiles_or_mol), additionalOutput=output)
    bits: dict[int, dict[int, list[tuple[int, int]]]] = {}
    for identifier, envs in sorted(output.GetBitInfoMap().items()):
        bits.setdefault(int(identifier) % n_bits, {})[int(identifier)] = [
            (int(atom), int(r)) for atom, r in envs
        ]
    return dict(sorted(bits.items()))


def tanimoto(fp_a: np.ndarray, fp_b: np.ndarray) -> float:
    """Tanimoto similarity |a ∧ b| / |a ∨ b| of two bit vectors (0 when both are empty)."""
    a, b = np.asarray(fp_a, dtype=bool), np.asarray(fp_b, dtype=bool)
    if a.shape != b.shape or a.ndim != 1:
        raise FeaturizeError(
            f"Fingerprints must be 1-D and of the same length to compare, not {a.shape} and {b.shape}."
        )
    union = np.count_nonzero(a | b)
    return float(np.count_nonzero(a & b) / union) if union else 0.0
