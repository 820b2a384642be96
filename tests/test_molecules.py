"""From names and SMILES to molecules, and the messages a student sees when input is wrong."""

import numpy as np
import pytest
from rdkit import Chem

import featurize
from featurize import FeaturizeError, InvalidSmilesError, atoms_from_smiles, mol_from_smiles


def test_errors_are_value_errors():
    assert issubclass(InvalidSmilesError, FeaturizeError)
    assert issubclass(FeaturizeError, ValueError)


def test_parses_every_demo_molecule():
    for smiles in featurize.DEMO_MOLECULES.values():
        mol = mol_from_smiles(smiles)
        assert Chem.MolToSmiles(mol) == Chem.CanonSmiles(smiles)


def test_surrounding_whitespace_is_forgiven():
    assert mol_from_smiles("  CCO\n").GetNumAtoms() == 3


@pytest.mark.parametrize(
    "smiles, reason",
    [
        ("C1CC", "unclosed ring"),
        ("C(C", "extra open parentheses"),
        ("CC)C", "extra close parentheses"),
        ("Xx", "syntax error near character 1"),
        ("CCO$", "syntax error near character 4"),
        ("C(C)(C)(C)(C)C", "explicit valence for atom # 0 C, 5, is greater than permitted"),
        ("c1cccc1", "can't kekulize"),
    ],
)
def test_bad_smiles_message_quotes_input_and_says_why(smiles, reason):
    with pytest.raises(InvalidSmilesError) as caught:
        mol_from_smiles(smiles)
    message = str(caught.value)
    assert repr(smiles) in message
    assert reason.lower() in message.lower()
    assert "[" not in message.split(":", 1)[1][:3]  # RDKit's timestamp is stripped


@pytest.mark.parametrize(
    "bad, words",
    [
        ("", "empty"),
        ("   \t", "empty"),
        (None, "must be text"),
        (42, "must be text"),
        (b"CCO", "must be text"),
        ("C" * 10_000, "at most 500"),
    ],
)
def test_empty_non_string_and_huge_input(bad, words):
    with pytest.raises(InvalidSmilesError, match=words):
        mol_from_smiles(bad)


def test_molecule_from_the_g2_set():
    water = featurize.molecule("H2O")
    assert water.get_chemical_symbols() == ["O", "H", "H"]
    assert np.linalg.norm(water.positions[0] - water.positions[1]) == pytest.approx(
        0.9686, abs=1e-3
    )
    assert "C6H6" in featurize.MOLECULE_NAMES and len(featurize.MOLECULE_NAMES) > 100


@pytest.mark.parametrize("name, suggestion", [("h2o", "H2O"), ("CH5", "CH4"), ("C6H5", "C6H6")])
def test_unknown_molecule_suggests_close_matches(name, suggestion):
    with pytest.raises(FeaturizeError, match=f"{name!r} is not a molecule.*{suggestion}"):
        featurize.molecule(name)


def test_unknown_molecule_without_near_match_still_helps():
    with pytest.raises(FeaturizeError, match="MOLECULE_NAMES"):
        featurize.molecule("unobtainium")


def test_atoms_from_smiles_adds_hydrogens_and_is_deterministic():
    first = atoms_from_smiles("CCO")
    assert first.get_chemical_formula() == "C2H6O"
    np.testing.assert_array_equal(first.positions, atoms_from_smiles("CCO").positions)
    assert not np.allclose(first.positions, atoms_from_smiles("CCO", seed=7).positions)


def test_atoms_from_smiles_gives_sensible_bond_lengths():
    atoms = atoms_from_smiles("CCO")
    assert atoms.get_distance(0, 1) == pytest.approx(1.51, abs=0.05)  # C–C
    assert atoms.get_distance(1, 2) == pytest.approx(1.42, abs=0.05)  # C–O
    distances = atoms.get_all_distances() + 10 * np.eye(len(atoms))
    assert distances.min() > 0.9  # no two atoms on top of each other


def test_atoms_from_smiles_handles_ions_and_aromatics():
    assert atoms_from_smiles("[Na+].[Cl-]").get_chemical_symbols() == ["Na", "Cl"]
    assert atoms_from_smiles(featurize.DEMO_MOLECULES["Caffeine"]).get_chemical_formula() == (
        "C8H10N4O2"
    )


def test_atoms_from_smiles_rejects_what_is_too_large_for_a_demo():
    with pytest.raises(FeaturizeError, match="at most 200"):
        atoms_from_smiles("C" * 100)


def test_atoms_from_smiles_passes_on_bad_smiles():
    with pytest.raises(InvalidSmilesError, match="unclosed ring"):
        atoms_from_smiles("C1CC")
