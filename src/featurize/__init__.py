"""featurize: how a material becomes a vector, for the lecture's live demos.

The compute layer only: plain inputs in (SMILES, RDKit Mol, ase.Atoms, numpy arrays),
numpy arrays and numbers out. The interactive panels live in featurize.panels.
"""

from .crystals import crystal, demo_structures
from .descriptors import COULOMB_PERMUTATIONS, coulomb_matrix, ewald_sum_matrix, sine_matrix, soap
from .errors import FeaturizeError, InvalidSmilesError
from .fingerprints import morgan_bit_atoms, morgan_bit_environments, morgan_fingerprint, tanimoto
from .likelihood import gaussian_log_likelihood, gaussian_mle, sample_data
from .molecules import MOLECULE_NAMES, atoms_from_smiles, mol_from_smiles, molecule
from .settings import (
    DECK,
    DEMO_CRYSTALS,
    DEMO_MOLECULES,
    MORGAN_BITS,
    MORGAN_RADIUS,
    RANDOM_SEED,
    SAMPLE_MEAN,
    SAMPLE_SIZE,
    SAMPLE_STD,
    SOAP_L_MAX,
    SOAP_N_MAX,
    SOAP_R_CUT,
    SOAP_SIGMA,
)
from .structure import atom_orders, coordinates, permute, rotate, rotation_matrix

__all__ = [
    "COULOMB_PERMUTATIONS",
    "DECK",
    "DEMO_CRYSTALS",
    "DEMO_MOLECULES",
    "MOLECULE_NAMES",
    "MORGAN_BITS",
    "MORGAN_RADIUS",
    "RANDOM_SEED",
    "SAMPLE_MEAN",
    "SAMPLE_SIZE",
    "SAMPLE_STD",
    "SOAP_L_MAX",
    "SOAP_N_MAX",
    "SOAP_R_CUT",
    "SOAP_SIGMA",
    "FeaturizeError",
    "InvalidSmilesError",
    "atom_orders",
    "atoms_from_smiles",
    "coordinates",
    "coulomb_matrix",
    "crystal",
    "demo_structures",
    "ewald_sum_matrix",
    "gaussian_log_likelihood",
    "gaussian_mle",
    "mol_from_smiles",
    "molecule",
    "morgan_bit_atoms",
    "morgan_bit_environments",
    "morgan_fingerprint",
    "permute",
    "rotate",
    "rotation_matrix",
    "sample_data",
    "sine_matrix",
    "soap",
    "tanimoto",
]
