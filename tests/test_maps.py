"""The hypermaterial map: descriptors against their formulas, PCA against an SVD, the cache."""

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

import featurize as fz
from featurize import FeaturizeError, maps
from featurize import datasets as ds

pytestmark = pytest.mark.usefixtures("cache")  # tests/conftest.py


@pytest.fixture(scope="module")
def g2():
    return ds.g2_set()


def slide_formula(atoms):
    """M_ii = 0.5 Z_i^2.4, M_ij = Z_i Z_j / R_ij (R in Å), built without DScribe."""
    z = atoms.get_atomic_numbers().astype(float)
    distances = np.linalg.norm(atoms.positions[:, None] - atoms.positions[None], axis=-1)
    np.fill_diagonal(distances, 1.0)
    matrix = np.outer(z, z) / distances
    np.fill_diagonal(matrix, 0.5 * z**2.4)
    return matrix


def test_sorted_eigenvalues_against_numpy(qm9):
    chosen = [qm9.names.index(s) for s in ("C", "CCO", "C1=CC=CC=C1")] + [3920]
    values = maps.coulomb_eigenvalues([qm9.molecules[i] for i in chosen], n_atoms_max=23)
    assert values.shape == (4, 23)
    for row, i in zip(values, chosen, strict=True):
        atoms = qm9.molecules[i]
        eigenvalues = np.linalg.eigvalsh(slide_formula(atoms))
        expected = eigenvalues[np.argsort(-np.abs(eigenvalues))]  # largest |λ| first
        np.testing.assert_allclose(row[: len(atoms)], expected, rtol=1e-10, atol=1e-10)
        assert np.all(row[len(atoms) :] == 0)  # padding


def test_average_soap_is_the_lectures_soap(qm9):
    molecules = [qm9.molecules[i] for i in (0, 13, 500)]
    values = maps.average_soap(molecules, qm9.species)
    assert values.shape == (3, (5 * 15 + 10 * 25) * 4)  # 5 species: 1300 numbers
    for row, atoms in zip(values, molecules, strict=True):
        np.testing.assert_allclose(row, fz.soap(atoms, species=qm9.species), rtol=1e-12)


def test_soap_needs_every_species(qm9):
    with pytest.raises(FeaturizeError, match=r"contain F, but SOAP was set up for H, C only"):
        maps.average_soap([fz.atoms_from_smiles("CF")], ("H", "C"))


def test_pca_against_numpy_svd(g2):
    features = maps.featurize_set(g2, "coulomb_eigenvalues")
    mean, std = features.mean(axis=0), features.std(axis=0)
    scaled = (features - mean) / np.where(std > 0, std, 1.0)
    u, s, _ = np.linalg.svd(scaled, full_matrices=False)
    expected = u[:, :2] * s[:2]
    projected = maps.project(features, "PCA")
    signs = np.sign(np.sum(projected * expected, axis=0))  # a component's sign is arbitrary
    np.testing.assert_allclose(projected * signs, expected, atol=1e-8)


def test_pca_without_scaling_against_numpy_svd(g2):
    features = maps.featurize_set(g2, "soap")
    u, s, _ = np.linalg.svd(features - features.mean(axis=0), full_matrices=False)
    expected = u[:, :2] * s[:2]
    projected = maps.project(features, "PCA", standardize=False)
    signs = np.sign(np.sum(projected * expected, axis=0))
    np.testing.assert_allclose(projected * signs, expected, rtol=1e-7, atol=1e-7 * s[0])
    assert not maps.STANDARDIZE["soap"] and maps.STANDARDIZE["coulomb_eigenvalues"]


def test_tsne_is_reproducible(g2):
    features = maps.featurize_set(g2, "coulomb_eigenvalues")
    first = maps.project(features, "t-SNE")
    assert first.shape == (len(g2), 2)
    np.testing.assert_array_equal(first, maps.project(features, "t-SNE"))


def test_tsne_works_for_a_handful_of_molecules(g2):
    few = maps.featurize_set(g2.subset(range(8)), "coulomb_eigenvalues")
    assert maps.project(few, "t-SNE").shape == (8, 2)


def test_neighbours_on_the_map_have_similar_energies(qm9):
    """The point of the map: a property varies smoothly across it."""
    energy = qm9.atomization_energy
    coordinates = maps.materials_map(qm9, "coulomb_eigenvalues", "PCA")
    nearest = NearestNeighbors(n_neighbors=2).fit(coordinates).kneighbors(coordinates)[1][:, 1]
    neighbour_gap = np.mean(np.abs(energy - energy[nearest]))
    random_gap = np.mean(np.abs(energy[:, None] - energy[None, :]))
    assert neighbour_gap < 0.2 * random_gap  # ~35 against ~264 kcal/mol
    soap_map = maps.materials_map(qm9, "soap", "PCA")
    nearest = NearestNeighbors(n_neighbors=2).fit(soap_map).kneighbors(soap_map)[1][:, 1]
    assert np.mean(np.abs(energy - energy[nearest])) < 0.4 * random_gap  # ~84 kcal/mol


def test_maps_are_cached_on_disk(qm9, cache):
    calls = []
    first = maps.materials_map(qm9, "soap", "PCA")
    again = maps.materials_map(qm9, "soap", "PCA", progress=lambda d, t: calls.append((d, t)))
    np.testing.assert_array_equal(first, again)
    assert calls == [(1, 1)]
    assert len(list(cache.glob("features_soap_*.npz"))) >= 1
    assert len(list(cache.glob("map_soap_*.npz"))) >= 1


def test_featurizing_reports_progress(g2, tmp_path):
    calls = []
    maps.materials_map(
        g2, "coulomb_eigenvalues", "PCA", lambda d, t: calls.append((d, t)), tmp_path
    )
    assert calls[0] == (148, 149)  # 148 molecules featurized, the projection still to come
    assert calls[-1] == (1, 1)


def test_a_different_set_gets_its_own_cache(g2, tmp_path):
    whole = maps.featurize_set(g2, "coulomb_eigenvalues", cache_dir=tmp_path)
    part = maps.featurize_set(g2.subset(range(10)), "coulomb_eigenvalues", cache_dir=tmp_path)
    assert part.shape[0] == 10 and whole.shape[0] == 148
    assert maps.set_fingerprint(g2) != maps.set_fingerprint(g2.subset(range(10)))


@pytest.mark.parametrize(
    ("descriptor", "method", "message"),
    [("fingerprint", "PCA", "Unknown descriptor"), ("soap", "UMAP", "Unknown projection")],
)
def test_unknown_choices_are_clear_errors(g2, descriptor, method, message):
    with pytest.raises(FeaturizeError, match=message):
        maps.materials_map(g2, descriptor, method)


def test_a_map_needs_finite_numbers():
    with pytest.raises(FeaturizeError, match="finite"):
        maps.project(np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0]]))
    with pytest.raises(FeaturizeError, match="too small"):
        maps.coulomb_eigenvalues([fz.molecule("C6H6")], n_atoms_max=5)


def test_the_maps_smooth_colour_is_mostly_size(qm9):
    """The map's notes: the atomization energy is extensive, so it follows the number of
    atoms (correlation −0.98 over QM9's 3,921 molecules), and so does the first principal
    axis of the Coulomb eigenvalues (−0.91): compare the colours before calling f smooth."""
    xy = maps.materials_map(qm9, "coulomb_eigenvalues", "PCA")
    energy_vs_size = np.corrcoef(qm9.atomization_energy, qm9.n_atoms)[0, 1]
    axis_vs_size = np.corrcoef(xy[:, 0], qm9.n_atoms)[0, 1]
    assert round(energy_vs_size, 2) == -0.98
    assert round(axis_vs_size, 2) == -0.91
    per_atom = np.corrcoef(qm9.atomization_energy / qm9.n_atoms, qm9.n_atoms)[0, 1]
    assert abs(per_atom) < abs(energy_vs_size)  # per atom, size no longer dominates
