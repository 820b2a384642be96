import numpy as np
import pytest
from ase.build import bulk

import featurize


@pytest.fixture
def water():
    return featurize.molecule("H2O")


@pytest.fixture
def ethanol():
    return featurize.atoms_from_smiles("CCO")


@pytest.fixture
def copper():
    return bulk("Cu", "fcc", a=3.6)


def random_rotation_angles(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-180, 180, size=3)
