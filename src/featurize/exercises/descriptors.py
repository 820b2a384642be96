"""Workbook 1, descriptors: fingerprints and Tanimoto, coordinates, Coulomb matrix, SOAP.

Each check takes the student's answer and compares it with what the engines (RDKit,
DScribe, ASE) give, saying in a sentence what differs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from .. import descriptors, fingerprints, molecules, structure
from ..errors import FeaturizeError
from ._feedback import Mistake, array, call, close, exercise, fmt, number

# 1.1: the pair whose similarity the student computes by hand.
TANIMOTO_PAIR = ("CCO", "CC(=O)O")  # ethanol, acetic acid
# 1.3: what is done to water before its descriptors are compared with the original's.
ROTATION_DEG = (30.0, 40.0, 50.0)
TRANSLATION_ANGSTROM = (1.0, -2.0, 0.5)
ATOM_ORDER = (1, 0, 2)  # H, O, H
DESCRIPTOR_NAMES = ("coordinates", "coulomb_matrix", "soap")
OPERATION_NAMES = ("rotation", "translation", "permutation")
# 1.6: (species, n_max, l_max) settings the student's SOAP length is tried on.
SOAP_SETTINGS = (
    (("H",), 1, 0),
    (("H",), 2, 0),
    (("H",), 3, 2),
    (("H", "O"), 5, 3),
    (("H", "C", "O"), 4, 2),
)


def water():
    return molecules.molecule("H2O")


def operations() -> dict[str, Callable]:
    """The three operations of exercise 1.3, by name: each returns a moved copy."""

    def translate(atoms):
        moved = atoms.copy()
        moved.translate(TRANSLATION_ANGSTROM)
        return moved

    return {
        "rotation": lambda atoms: structure.rotate(atoms, ROTATION_DEG),
        "translation": translate,
        "permutation": lambda atoms: structure.permute(atoms, ATOM_ORDER),
    }


def _descriptor(name: str) -> Callable:
    return {
        "coordinates": structure.coordinates,
        "coulomb_matrix": descriptors.coulomb_matrix,
        "soap": descriptors.soap,
    }[name]


# -- 1.1 Tanimoto by hand ------------------------------------------------------------------
@exercise(
    "1.1",
    "similarity",
    "Count the bits that are on in both fingerprints (a & b) and the bits on in either "
    "(a | b); the similarity is the first count divided by the second.",
)
def tanimoto_by_hand(similarity: Any) -> str:
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    first, second = TANIMOTO_PAIR
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=1024)
    reference = DataStructs.TanimotoSimilarity(
        generator.GetFingerprint(molecules.mol_from_smiles(first)),
        generator.GetFingerprint(molecules.mol_from_smiles(second)),
    )
    a = fingerprints.morgan_fingerprint(first).astype(bool)
    b = fingerprints.morgan_fingerprint(second).astype(bool)
    both, either = int(np.sum(a & b)), int(np.sum(a | b))
    mine = number(similarity, "similarity")
    if close(mine, reference):
        return (
            f"Right: {both} bits are on in both and {either} in either, so the Tanimoto "
            f"similarity is {both}/{either} = {reference:.3f}, as RDKit's TanimotoSimilarity "
            "says. Ethanol and acetic acid share their CH3–C end and little else."
        )
    known = {
        both: f"{both} is the number of shared bits; divide it by the {either} bits on in either",
        1 - reference: "that is 1 − similarity, the Tanimoto distance",
        2 * both / (a.sum() + b.sum()): "that is the Dice coefficient, 2|A∩B| / (|A| + |B|)",
        both / (a.sum() + b.sum()): (
            "you divided by |A| + |B|, which counts the shared bits twice; divide by |A ∪ B|"
        ),
        both / 1024: "you divided by all 1024 bits; divide by the bits on in either",
    }
    for value, reason in known.items():
        if close(mine, value):
            raise Mistake(f"Your similarity is {fmt(mine)}: {reason}.")
    raise Mistake(
        f"RDKit gives {reference:.3f} for {first} and {second}; yours is {fmt(mine)}. "
        f"They have {int(a.sum())} and {int(b.sum())} bits on, {both} of them shared."
    )


# -- 1.2 Tanimoto 1, different molecules -------------------------------------------------
@exercise(
    "1.2",
    "pair",
    "A Morgan bit records an atom's surroundings up to two bonds away, and the fingerprint "
    "only says whether a bit is on, not how often. Which molecules are built from the same "
    "surroundings, repeated a different number of times?",
)
def same_fingerprint(pair: Any) -> str:
    from rdkit import Chem
    from rdkit.Chem import rdMolDescriptors

    if isinstance(pair, str) or len(pair) != 2:
        raise Mistake(f"`pair` should hold two SMILES strings, like ('CCO', 'CCN'); not {pair!r}.")
    first, second = (str(smiles).strip() for smiles in pair)
    try:
        mols = [molecules.mol_from_smiles(smiles) for smiles in (first, second)]
    except FeaturizeError as error:
        raise Mistake(str(error)) from None
    canonical = [Chem.MolToSmiles(mol) for mol in mols]
    if canonical[0] == canonical[1]:
        raise Mistake(
            f"{first!r} and {second!r} are the same molecule written two ways (RDKit writes "
            f"both as {canonical[0]!r}): find two molecules that really differ."
        )
    a, b = (fingerprints.morgan_fingerprint(mol) for mol in mols)
    similarity = fingerprints.tanimoto(a, b)
    if similarity < 1:
        raise Mistake(
            f"{first} and {second} differ, but so do their fingerprints: they share "
            f"{int(np.sum(a & b))} of {int(np.sum(a | b))} bits, Tanimoto {similarity:.2f}."
        )
    formulas = [rdMolDescriptors.CalcMolFormula(mol) for mol in mols]
    return (
        f"Right: {canonical[0]} ({formulas[0]}) and {canonical[1]} ({formulas[1]}) are "
        f"different molecules with identical fingerprints ({int(a.sum())} bits on in each). "
        "A fingerprint is a summary, not the molecule: similarity 1 does not mean the same."
    )


# -- 1.3 which descriptor is invariant to what ------------------------------------------
@lru_cache(maxsize=1)
def _distances() -> dict[tuple[str, str], float]:
    original = water()
    result = {}
    for descriptor_name in DESCRIPTOR_NAMES:
        descriptor = _descriptor(descriptor_name)
        before = descriptor(original)
        for operation_name, operation in operations().items():
            after = descriptor(operation(original))
            result[descriptor_name, operation_name] = float(np.linalg.norm(after - before))
    return result


@exercise(
    "1.3",
    "distances",
    "For each pair, compute the descriptor of the moved water and of the original water, "
    "subtract them and take np.linalg.norm of the difference: one number per pair.",
)
def invariance(distances: Any) -> str:
    reference = _distances()
    if not hasattr(distances, "keys"):
        raise Mistake(
            f"`distances` should be a dict with 9 entries; it is {type(distances).__name__}."
        )
    missing = [key for key in reference if key not in distances]
    if missing:
        raise Mistake(
            f"`distances` has no entry for {missing[0]!r} ({len(missing)} of 9 missing): "
            "key it by (descriptor name, operation name)."
        )
    original = water()
    for key, expected in reference.items():
        mine = number(distances[key], f"distances[{key!r}]")
        if close(mine, expected, relative=1e-4, absolute=1e-6):
            continue
        descriptor_name, _ = key
        size = float(np.linalg.norm(_descriptor(descriptor_name)(original)))
        if close(mine, size, relative=1e-4):
            raise Mistake(
                f"distances[{key!r}] is {fmt(mine)}, the size of the descriptor itself: take "
                "the norm of the difference between the moved and the original descriptor."
            )
        invariant = expected < 1e-6
        raise Mistake(
            f"distances[{key!r}]: the engines give {fmt(expected)}"
            + (" (invariant: zero up to rounding)" if invariant else "")
            + f", yours is {fmt(mine)}."
        )
    changed = {
        name: [op for op in OPERATION_NAMES if reference[name, op] > 1e-6]
        for name in DESCRIPTOR_NAMES
    }
    return (
        "Right. Raw coordinates change under "
        + (", ".join(changed["coordinates"]) or "nothing")
        + "; the Coulomb matrix only under "
        + (", ".join(changed["coulomb_matrix"]) or "nothing")
        + "; SOAP under "
        + (", ".join(changed["soap"]) or "none of them")
        + f" (its largest change is {max(reference['soap', op] for op in OPERATION_NAMES):.1e}, "
        "rounding). Invariance is a number you can measure, not a promise."
    )


# -- 1.4 water's Coulomb matrix by hand --------------------------------------------------
@exercise(
    "1.4",
    "my_coulomb",
    "Z = water.get_atomic_numbers() and R = water.get_all_distances() (Å). The diagonal is "
    "0.5 * Z**2.4; off the diagonal, Z_i * Z_j / R_ij. np.outer(Z, Z) gives every Z_i Z_j.",
)
def water_coulomb_matrix(my_coulomb: Any) -> str:
    atoms = water()
    reference = descriptors.coulomb_matrix(atoms)
    n = len(atoms)
    mine = array(my_coulomb, "my_coulomb", (n, n))
    symbols, numbers = atoms.get_chemical_symbols(), atoms.get_atomic_numbers()
    distances = atoms.get_all_distances()
    for i in range(n):
        if close(mine[i, i], reference[i, i], 1e-5):
            continue
        z = int(numbers[i])
        cause = ""
        if close(mine[i, i], z**2) or close(mine[i, i], 0.5 * z**2):
            cause = " (Z²: the exponent is 2.4)"
        elif close(mine[i, i], z**2.4):
            cause = " (Z^2.4 without the factor 0.5)"
        elif close(mine[i, i], 0):
            cause = " (the diagonal has its own formula; it is not a repulsion)"
        raise Mistake(
            f"Row {i} is {symbols[i]}'s: its diagonal should be 0.5·{z}^2.4 ≈ "
            f"{reference[i, i]:.1f}, yours is {fmt(mine[i, i])}{cause}."
        )
    for i in range(n):
        for j in range(n):
            if i == j or close(mine[i, j], reference[i, j], 1e-5):
                continue
            zi, zj, r = int(numbers[i]), int(numbers[j]), distances[i, j]
            cause = ""
            if close(mine[i, j], zi * zj * r, 1e-5):
                cause = " (you multiplied by the distance; divide by it)"
            elif close(mine[i, j], zi * zj / r**2, 1e-5):
                cause = " (you divided by R²; the Coulomb repulsion goes as 1/R)"
            elif close(mine[i, j], zi * zj / (r / 0.529177), 1e-3):
                cause = " (your distances are in bohr; use Å, as ASE gives them)"
            raise Mistake(
                f"Entry ({i}, {j}), {symbols[i]}–{symbols[j]}: should be {zi}·{zj}/"
                f"{r:.3f} Å ≈ {reference[i, j]:.2f}, yours is {fmt(mine[i, j])}{cause}."
            )
    return (
        f"Right: your matrix equals DScribe's to within 1e-5 (O's self-energy "
        f"{reference[0, 0]:.2f}, each O–H repulsion {reference[0, 1]:.2f}, H–H "
        f"{reference[1, 2]:.2f})."
    )


# -- 1.5 sorting removes the order -------------------------------------------------------
def _sorting_cases() -> list[tuple[str, Any]]:
    return [
        ("water as H, O, H", structure.permute(water(), ATOM_ORDER)),
        ("water as H, H, O", structure.permute(water(), (2, 1, 0))),
        ("ethanol", molecules.atoms_from_smiles("CCO")),
    ]


@exercise(
    "1.5",
    "sort_coulomb",
    "np.linalg.norm(matrix, axis=1) gives each row's norm; np.argsort(...)[::-1] orders them "
    "largest first. Re-order the rows and the columns with the same order: "
    "matrix[order][:, order].",
)
def sorted_coulomb(sort_coulomb: Any) -> str:
    for label, atoms in _sorting_cases():
        matrix = descriptors.coulomb_matrix(atoms)
        reference = descriptors.coulomb_matrix(atoms, permutation="sorted_l2")
        given = matrix.copy()
        result = array(
            call(sort_coulomb, "sort_coulomb", given), f"sort_coulomb(…) for {label}", matrix.shape
        )
        if not np.array_equal(given, matrix):
            raise Mistake(
                f"sort_coulomb changed the matrix it was given ({label}): return a sorted copy."
            )
        if np.allclose(result, reference):
            continue
        norms = np.linalg.norm(result, axis=1)
        if not np.allclose(result, result.T):
            raise Mistake(
                f"For {label} your sorted matrix is not symmetric: you re-ordered the rows but "
                "not the columns. Apply the same order to both."
            )
        if np.all(np.diff(norms) >= -1e-9) and not np.all(np.diff(norms) <= 1e-9):
            raise Mistake(
                f"For {label} your rows run from the smallest norm to the largest; DScribe puts "
                "the largest first (reverse the order)."
            )
        same_entries = np.allclose(np.sort(result, axis=None), np.sort(reference, axis=None))
        if np.all(np.diff(norms) <= 1e-9) and same_entries:
            continue  # equal norms may come in either order: the same sorted matrix
        raise Mistake(
            f"For {label} DScribe's sorted matrix starts with row "
            f"{np.round(reference[0], 2).tolist()}, yours with {np.round(result[0], 2).tolist()}."
        )
    return (
        "Right: for water in two atom orders and for ethanol your sorting gives DScribe's "
        "sorted_l2 matrix. Whatever order the atoms come in, the sorted matrix is the same."
    )


# -- 1.6 how long is a SOAP vector -------------------------------------------------------
def _soap_length(species: tuple[str, ...], n_max: int, l_max: int) -> int:
    from dscribe.descriptors import SOAP

    return int(
        SOAP(species=list(species), r_cut=6.0, n_max=n_max, l_max=l_max).get_number_of_features()
    )


@exercise(
    "1.6",
    "soap_length",
    "The power spectrum has one number p_{n n' l} per species pair (Z1, Z2), per radial pair "
    "(n, n') and per l = 0…l_max, but p for (Z1 n, Z2 n') equals p for (Z2 n', Z1 n): count "
    "each unordered pair of (species, n) combinations once.",
)
def soap_vector_length(soap_length: Any) -> str:
    for species, n_max, l_max in SOAP_SETTINGS:
        expected = _soap_length(species, n_max, l_max)
        mine = number(
            call(soap_length, "soap_length", len(species), n_max, l_max), "soap_length(…)"
        )
        if mine != expected:
            k = len(species) * n_max
            cause = ""
            if mine == k * k * (l_max + 1):
                cause = " You counted (Z1 n, Z2 n') and (Z2 n', Z1 n) separately; they are equal."
            raise Mistake(
                f"For {len(species)} species ({', '.join(species)}), n_max = {n_max}, "
                f"l_max = {l_max} DScribe gives {expected} numbers; your function gives "
                f"{fmt(mine)}.{cause}"
            )
    water_length = _soap_length(("H", "O"), 5, 3)
    return (
        f"Right for all {len(SOAP_SETTINGS)} settings: with H and O, n_max = 5 and l_max = 3 "
        f"that is {water_length} numbers, the demo's vector, however many atoms the molecule has."
    )
