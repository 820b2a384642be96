import numpy as np
import pytest
from ase.build import bulk

import featurize
from featurize import datasets


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


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One data cache for the session's data tests (QM9 read from its CSVs once), set for a
    module that asks for it: `pytestmark = pytest.mark.usefixtures("cache")`."""
    directory = tmp_path_factory.getbasetemp() / "featurize-cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(datasets.CACHE_ENVIRONMENT_VARIABLE, str(directory))
        yield directory


@pytest.fixture(scope="module")
def qm9(cache):
    return datasets.qm9_set()
