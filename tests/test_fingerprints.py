"""Morgan fingerprints against RDKit's generator, bit provenance and Tanimoto similarity."""

import numpy as np
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

import featurize
from featurize import FeaturizeError, morgan_bit_atoms, morgan_fingerprint, tanimoto

ON_BITS = {"Ethanol": 6, "Acetic acid": 7, "Benzene": 3, "Aspirin": 24, "Caffeine": 24}


def rdkit_bits(smiles, radius=2, n_bits=1024):
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    return generator.GetFingerprint(Chem.MolFromSmiles(smiles))


def test_the_demo_molecules_are_the_slides():
    assert list(featurize.DEMO_MOLECULES) == list(ON_BITS)
    assert featurize.DEMO_MOLECULES["Ethanol"] == "CCO"
    assert (featurize.MORGAN_RADIUS, featurize.MORGAN_BITS) == (2, 1024)


@pytest.mark.parametrize("name", list(ON_BITS))
def test_bits_equal_rdkit_and_the_expected_count(name):
    smiles = featurize.DEMO_MOLECULES[name]
    fp = morgan_fingerprint(smiles)
    assert fp.shape == (1024,) and fp.dtype == np.uint8
    assert set(np.flatnonzero(fp)) == set(rdkit_bits(smiles).GetOnBits())
    assert int(fp.sum()) == ON_BITS[name]


def test_accepts_a_mol_and_other_settings():
    mol = Chem.MolFromSmiles("c1ccccc1O")
    fp = morgan_fingerprint(mol, radius=3, n_bits=2048)
    assert fp.shape == (2048,)
    assert set(np.flatnonzero(fp)) == set(rdkit_bits("c1ccccc1O", 3, 2048).GetOnBits())


@pytest.mark.parametrize("name", list(ON_BITS))
def test_bit_atoms_explain_every_on_bit(name):
    smiles = featurize.DEMO_MOLECULES[name]
    fp = morgan_fingerprint(smiles)
    environments = morgan_bit_atoms(smiles)
    assert set(environments) == set(np.flatnonzero(fp))
    n_atoms = Chem.MolFromSmiles(smiles).GetNumAtoms()
    for envs in environments.values():
        for atom, radius in envs:
            assert 0 <= atom < n_atoms and 0 <= radius <= 2


def test_benzene_environments():
    # six equivalent carbons: each of its 3 bits is set by all six atoms, at radius 0, 1, 2
    environments = morgan_bit_atoms("c1ccccc1")
    assert sorted(r for envs in environments.values() for _, r in envs[:1]) == [0, 1, 2]
    assert all(sorted(a for a, _ in envs) == list(range(6)) for envs in environments.values())


def test_tanimoto_against_rdkit():
    smiles = list(featurize.DEMO_MOLECULES.values())
    for a in smiles:
        assert tanimoto(morgan_fingerprint(a), morgan_fingerprint(a)) == 1.0
        for b in smiles:
            expected = DataStructs.TanimotoSimilarity(rdkit_bits(a), rdkit_bits(b))
            assert tanimoto(morgan_fingerprint(a), morgan_fingerprint(b)) == pytest.approx(expected)


def test_tanimoto_of_aspirin_and_acetic_acid_is_between_0_and_1():
    value = tanimoto(morgan_fingerprint("CC(=O)Oc1ccccc1C(=O)O"), morgan_fingerprint("CC(=O)O"))
    assert 0 < value < 1


def test_tanimoto_of_empty_vectors_is_zero():
    assert tanimoto(np.zeros(8), np.zeros(8)) == 0.0


def test_tanimoto_needs_equal_lengths():
    with pytest.raises(FeaturizeError, match="same length"):
        tanimoto(np.zeros(1024), np.zeros(2048))


def test_bad_smiles_raises_invalid_smiles_error():
    with pytest.raises(featurize.InvalidSmilesError, match="'C1CC'"):
        morgan_fingerprint("C1CC")


@pytest.mark.parametrize("radius, n_bits", [(-1, 1024), (2, 0), (2.5, 1024), (2, "1024")])
def test_bad_settings_are_a_clear_error(radius, n_bits):
    with pytest.raises(FeaturizeError, match="whole number"):
        morgan_fingerprint("CCO", radius=radius, n_bits=n_bits)


@pytest.mark.parametrize("name", list(featurize.DEMO_MOLECULES))
def test_folding_is_the_environment_id_modulo_the_bit_count(name):
    """The on-bits are RDKit's 32-bit environment ids mod 1024, every id under its bit."""
    smiles = featurize.DEMO_MOLECULES[name]
    bits = featurize.morgan_bit_environments(smiles)
    assert set(bits) == set(np.flatnonzero(featurize.morgan_fingerprint(smiles)))
    for bit, by_id in bits.items():
        assert all(identifier % 1024 == bit and 0 <= identifier < 2**32 for identifier in by_id)
        occurrences = sorted(env for envs in by_id.values() for env in envs)
        assert occurrences == sorted(featurize.morgan_bit_atoms(smiles)[bit])


def test_collisions_in_the_demo_molecules():
    """Different substructures under one bit: acetic acid's OH oxygen and its carboxyl carbon,
    each alone (bit 807); caffeine's fused-ring carbon at radius 2 and its three methyl
    carbons alone (bit 33)."""
    acetic = featurize.morgan_bit_environments("CC(=O)O")[807]
    assert sorted(acetic.values()) == [[(1, 0)], [(3, 0)]]
    collisions = {
        name: sorted(b for b, ids in featurize.morgan_bit_environments(s).items() if len(ids) > 1)
        for name, s in featurize.DEMO_MOLECULES.items()
    }
    assert collisions == {
        "Ethanol": [],
        "Acetic acid": [807],
        "Benzene": [],
        "Aspirin": [807],
        "Caffeine": [33],
    }
