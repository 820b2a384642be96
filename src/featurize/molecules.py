"""Turning names and SMILES strings into RDKit molecules and 3-D ASE structures."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

import numpy as np
from ase import Atoms
from ase.data import g2 as g2_data

from .errors import FeaturizeError, InvalidSmilesError
from .settings import MAX_EMBED_ATOMS, MAX_SMILES_LENGTH

if TYPE_CHECKING:
    from rdkit import Chem

# RDKit (~40 MB) is imported on first use, in the functions that read SMILES: the demo
# pages that only turn a G2 molecule never need it. The G2 structures come from ASE's G2
# table (ase.data.g2), the data behind ase.build.molecule and ase.collections.g2: both of
# those import scipy (~50 MB) on the way.
MOLECULE_NAMES: tuple[str, ...] = (*g2_data.molecule_names, *g2_data.atom_names)


def mol_from_smiles(smiles: str) -> Chem.Mol:
    """Parse a SMILES string into a sanitized RDKit molecule.

    Raises InvalidSmilesError (a FeaturizeError) quoting the input and RDKit's reason.
    """
    if not isinstance(smiles, str):
        raise InvalidSmilesError(
            f"A SMILES must be text such as 'CCO' (ethanol), not {type(smiles).__name__} {smiles!r}."
        )
    text = smiles.strip()
    if not text:
        raise InvalidSmilesError("The SMILES is empty: type one, for example 'CCO' for ethanol.")
    if len(text) > MAX_SMILES_LENGTH:
        raise InvalidSmilesError(
            f"That SMILES is {len(text)} characters long; the demos take at most "
            f"{MAX_SMILES_LENGTH}. Try a smaller molecule."
        )
    from rdkit import Chem, rdBase

    with rdBase.CaptureErrorLog() as log:
        mol = Chem.MolFromSmiles(text)
    if mol is None:
        raise InvalidSmilesError(f"{text!r} is not a valid SMILES: {_rdkit_reason(log.messages)}")
    return mol


def _rdkit_reason(messages: str) -> str:
    """RDKit's first complaint without its timestamp and prefix, and where it found it."""
    for line in messages.splitlines():
        reason = line.split("] ", 1)[-1].removeprefix("SMILES Parse Error: ")
        reason = re.sub(r"\s+(for input|while parsing):.*$", "", reason).strip()
        if reason:
            position = re.search(r"around position (\d+)", messages)
            where = f" near character {position[1]}" if position else ""
            return reason[0].lower() + reason[1:] + where + "."
    return "RDKit could not read it; check brackets, ring-closure digits and element symbols."


def molecule(name: str) -> Atoms:
    """A molecule from ASE's G2 set by name ("H2O", "CH4", "C6H6" …), positions in Å.

    The same structure as ase.build.molecule(name); ASE's few extra molecules ("C60" …)
    come from there.
    """
    record = g2_data.data.get(name) if isinstance(name, str) else None
    if record is not None:
        return Atoms(
            record["symbols"],
            record["positions"],
            magmoms=record["magmoms"],
            charges=record["charges"],
        )
    from ase.build import molecule as ase_molecule  # not a G2 name: rare, and costs scipy

    try:
        return ase_molecule(name)
    except (KeyError, TypeError):
        pass
    by_upper = {known.upper(): known for known in MOLECULE_NAMES}
    guesses = difflib.get_close_matches(str(name).upper(), by_upper, n=5, cutoff=0.5)
    hint = ", ".join(by_upper[g] for g in guesses) or ", ".join(MOLECULE_NAMES[:8]) + " …"
    raise FeaturizeError(
        f"{name!r} is not a molecule in ASE's G2 set. Did you mean: {hint}? "
        "(featurize.MOLECULE_NAMES lists them all.)"
    )


def atoms_from_smiles(smiles: str, seed: int = 0) -> Atoms:
    """A 3-D structure for a SMILES: hydrogens added, ETKDG embedding, force-field clean-up.

    The same SMILES and seed always give the same positions (Å).
    """
    from rdkit import Chem
    from rdkit.Chem import AllChem

    mol = Chem.AddHs(mol_from_smiles(smiles))
    if mol.GetNumAtoms() > MAX_EMBED_ATOMS:
        raise FeaturizeError(
            f"{smiles.strip()!r} has {mol.GetNumAtoms()} atoms with hydrogens; the 3-D demos "
            f"take at most {MAX_EMBED_ATOMS}. Try a smaller molecule."
        )
    params = AllChem.ETKDGv3()
    params.randomSeed = int(seed)
    if AllChem.EmbedMolecule(mol, params) != 0:
        raise FeaturizeError(
            f"RDKit could not build 3-D coordinates for {smiles.strip()!r}; "
            "try another seed or check the structure."
        )
    if AllChem.MMFFHasAllMoleculeParams(mol):
        AllChem.MMFFOptimizeMolecule(mol)
    elif AllChem.UFFHasAllMoleculeParams(mol):
        AllChem.UFFOptimizeMolecule(mol)
    symbols = [atom.GetSymbol() for atom in mol.GetAtoms()]
    positions = np.asarray(mol.GetConformer().GetPositions(), dtype=float)
    return Atoms(symbols=symbols, positions=positions)
