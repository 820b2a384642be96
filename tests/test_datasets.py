"""G2 and QM9: the molecules, their atomization energies by hand, the cache, clear errors."""

import csv
from importlib import metadata

import numpy as np
import pytest
from ase.data import g2_1

from featurize import FeaturizeError, molecule
from featurize import datasets as ds
from featurize.cache import CACHE_ENVIRONMENT_VARIABLE, cache_directory

pytestmark = pytest.mark.usefixtures("cache")  # tests/conftest.py


def csv_row(smiles):
    """The first row of QM9's first CSV with this SMILES, read with nothing but csv."""
    csv.field_size_limit(1 << 24)
    with ds.qm9_files()[0].open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["SMILES"] == smiles:
                return row
    raise AssertionError(smiles)


# -- QM9 ------------------------------------------------------------------------------
def test_methane_atomization_energy_by_hand(qm9):
    row = csv_row("C")
    assert float(row["InternalEnergy_0K_au"]) == -40.47893
    assert float(row["ZPVE_au"]) == 0.044749
    # [U0(CH4) − ZPVE(CH4)] − U0(C) − 4 U0(H), Hartree → kcal/mol, with QM9's B3LYP atom
    # references: the electronic atomization energy, as QM7's (free atoms have no ZPVE)
    by_hand = (-40.47893 - 0.044749 - (-37.846772) - 4 * (-0.500273)) * 627.509
    assert by_hand == pytest.approx(-424.1, abs=0.05)
    methane = qm9.names.index("C")
    assert qm9.atomization_energy[methane] == pytest.approx(by_hand, abs=1e-9)
    assert qm9.molecules[methane].get_chemical_formula() == "CH4"


def test_geometry_is_the_csvs_in_angstrom(qm9):
    row = csv_row("CCO")
    ethanol = qm9.molecules[qm9.names.index("CCO")]
    xyz = np.array(eval(row["XYZ_Ang"]))  # the test may trust its own data file
    np.testing.assert_array_equal(ethanol.positions, xyz)
    assert ethanol.get_chemical_symbols() == eval(row["Elements"])
    assert qm9.descriptions[qm9.names.index("CCO")] == f"QM9 #{row['Index']}: CCO"


def test_the_subset_has_at_most_seven_heavy_atoms(qm9):
    assert len(qm9) == 3921
    assert qm9.heavy_atoms.max() == 7 and qm9.heavy_atoms.min() == 1
    assert qm9.species == ("H", "C", "N", "O", "F")
    assert qm9.max_atoms == 23  # as in QM7: at most 23 atoms
    assert np.all(qm9.atomization_energy < 0)  # every molecule is bound


def test_energies_agree_with_the_formula_everywhere(qm9):
    for i in [0, 100, 2000, 3920]:
        symbols = qm9.molecules[i].get_chemical_symbols()
        references = sum(ds.QM9_ATOM_REFERENCE_U0_HARTREE[s] for s in symbols)
        zpve = 0.05  # any: U0 − ZPVE is what counts
        u0 = qm9.atomization_energy[i] / 627.509 + references + zpve
        energy = ds.qm9_atomization_energy(symbols, u0, zpve)
        assert energy == pytest.approx(qm9.atomization_energy[i])


def test_the_zero_point_energy_is_left_out(qm9):
    """QM9's U0 includes the zero-point vibrational energy; QM7's energies, like G2's
    corrected experimental ones, do not: the set's atomization energy is U0 − ZPVE."""
    row = csv_row("O")
    with_zpve = ds.qm9_atomization_energy(["O", "H", "H"], float(row["InternalEnergy_0K_au"]), 0)
    water = qm9.atomization_energy[qm9.names.index("O")]
    assert with_zpve - water == pytest.approx(float(row["ZPVE_au"]) * 627.509, rel=1e-9)
    assert with_zpve - water == pytest.approx(13.4, abs=0.1)  # water's ZPVE, kcal/mol
    assert water == pytest.approx(-226.5, abs=0.05)  # the featurization figure's number


def test_the_cache_is_written_and_read_back(qm9, cache):
    path = cache / "qm9_heavy7_v2.npz"  # the format in the name: never an older file
    assert path.is_file()
    calls = []
    again = ds.qm9_set(progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 1)]  # from the cache: done at once
    np.testing.assert_array_equal(again.atomization_energy, qm9.atomization_energy)
    assert again.names == qm9.names


def test_reading_reports_progress_and_a_broken_cache_is_rebuilt(tmp_path):
    (tmp_path / "qm9_heavy2_v2.npz").write_bytes(b"not a zip file")
    calls = []
    small = ds.qm9_set(2, progress=lambda d, t: calls.append((d, t)), cache_dir=tmp_path)
    assert len(small) == 3 + 5  # QM9 has 3 molecules with one heavy atom and 5 with two
    assert set(small.names) >= {"C", "N", "O", "C#C", "C=O", "CC"}
    assert len(calls) > 10
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1][0] == calls[-1][1]
    assert len(ds.qm9_set(2, cache_dir=tmp_path)) == 8  # now from the rebuilt cache


def test_missing_qm9_package_is_a_clear_error(monkeypatch, tmp_path):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(ds.metadata, "distribution", not_installed)
    with pytest.raises(ds.DataMissingError, match=r"qm9pack.*not installed"):
        ds.qm9_set(cache_dir=tmp_path)


def test_missing_qm9_files_are_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(ds, "QM9_FILES", ("qm9_part9.csv",))
    with pytest.raises(ds.DataMissingError, match=r"missing.*reinstall"):
        ds.qm9_set(cache_dir=tmp_path)
    assert issubclass(ds.DataMissingError, FeaturizeError)


@pytest.mark.parametrize("bad", [0, 10, 2.5, "7"])
def test_heavy_atom_limit_must_make_sense(bad):
    with pytest.raises(FeaturizeError, match="1 to 9 heavy atoms"):
        ds.qm9_set(bad)


def test_only_qm9_elements_have_references():
    with pytest.raises(FeaturizeError, match="not S"):
        ds.qm9_atomization_energy(["H", "H", "S"], -399.0, 0.01)


def test_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENVIRONMENT_VARIABLE, str(tmp_path))
    assert cache_directory() == tmp_path
    monkeypatch.delenv(CACHE_ENVIRONMENT_VARIABLE)
    assert cache_directory().parts[-2:] == (".cache", "featurize")


def test_subset_keeps_everything_in_step(qm9):
    part = qm9.subset([5, 0])
    assert part.names == (qm9.names[5], qm9.names[0])
    np.testing.assert_array_equal(part.atomization_energy, qm9.atomization_energy[[5, 0]])
    assert part.molecules[1] is qm9.molecules[0]


# -- G2 -------------------------------------------------------------------------------
def test_g2_has_148_molecules_with_experimental_energies():
    g2 = ds.g2_set()
    assert len(g2) == 148
    assert g2.names[g2.descriptions.index("Methane (CH4), Td symm.")] == "CH4"
    assert np.all(g2.atomization_energy < 0)
    assert {"Li", "Si", "Cl", "Al"} <= set(g2.species)  # many more elements than QM9


@pytest.mark.parametrize("name", ["CH4", "H2O", "C2H6", "CO2", "SiH4", "NaCl"])
def test_g2_1_energies_are_ases_with_our_sign(name):
    assert ds.g2_atomization_energy(name) == pytest.approx(-g2_1.get_atomization_energy(name))


def test_benzene_from_g2_2_by_hand():
    # D = −ΔfH(298) + ZPE + thermal + 6 [ΔfH_C(0 K) − thermal_C] + 6 [ΔfH_H(0 K) − thermal_H]
    # with G2-2's numbers for benzene and G2-1's for the atoms (kcal/mol)
    by_hand = -19.7 + 61.9252 + 3.3886 + 6 * (169.98 - 0.25) + 6 * (51.63 - 1.01)
    assert ds.g2_atomization_energy("C6H6") == pytest.approx(-by_hand, abs=1e-6)
    assert len(molecule("C6H6")) == 12


def test_an_unknown_g2_name_is_a_clear_error():
    with pytest.raises(FeaturizeError, match="not a molecule of the G2 set"):
        ds.g2_atomization_energy("H")  # an atom of G2, not a molecule
