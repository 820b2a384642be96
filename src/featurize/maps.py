"""The hypermaterial space made visible: featurize a molecule set, project it to 2-D.

Φ(M) is a descriptor vector (sorted Coulomb-matrix eigenvalues, or the structure-averaged
SOAP); PCA or t-SNE draws the cloud of Φ(M) on a page, so neighbours on the page are
molecules the descriptor calls alike.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .cache import cache_directory, load_cache, save_cache
from .datasets import MoleculeSet, Progress
from .descriptors import _coulomb_engine, _soap_engine
from .errors import FeaturizeError
from .settings import RANDOM_SEED, SOAP_L_MAX, SOAP_N_MAX, SOAP_R_CUT, SOAP_SIGMA

# The descriptors the map offers: key → what the slide calls it.
MAP_DESCRIPTORS = MappingProxyType(
    {
        "coulomb_eigenvalues": "Coulomb-matrix eigenvalues (sorted)",
        "soap": "SOAP, structure-averaged",
    }
)
# Whether the map standardizes a descriptor's columns before projecting. The Coulomb
# eigenvalues run from ~400 (the largest) to ~0.1 (the last): unscaled, the largest alone
# would set the map. SOAP's columns are all the same kind of number (density overlaps), and
# scaling would blow up the near-empty ones of rare elements (F): only centre them.
STANDARDIZE = MappingProxyType({"coulomb_eigenvalues": True, "soap": False})
PROJECTIONS = ("PCA", "t-SNE")
TSNE_PERPLEXITY = 30.0  # neighbours each point tries to keep (scikit-learn's default)
TSNE_PCA_COMPONENTS = 50  # t-SNE starts from the first 50 principal components: faster, less noise
_FEATURIZE_CHUNK = 250  # molecules per DScribe call, so progress moves every fraction of a second
_MAP_CACHE_FORMAT = 2


def coulomb_eigenvalues(
    molecules: list, n_atoms_max: int | None = None, progress: Progress | None = None
) -> np.ndarray:
    """(n, n_atoms_max): each molecule's Coulomb-matrix eigenvalues, largest |λ| first, 0-padded.

    The eigenvalues of M_ii = 0.5 Z_i^2.4, M_ij = Z_i Z_j / R_ij (DScribe, "eigenspectrum").
    """
    width = _largest(molecules) if n_atoms_max is None else int(n_atoms_max)
    if width < _largest(molecules):
        raise FeaturizeError(
            f"A molecule has {_largest(molecules)} atoms; n_atoms_max={width} is too small."
        )
    engine = _coulomb_engine(width, "eigenspectrum")
    return _in_chunks(engine, molecules, progress)


def average_soap(
    molecules: list, species: tuple[str, ...], progress: Progress | None = None
) -> np.ndarray:
    """(n, d): each molecule's structure-averaged SOAP, with the slides' settings.

    species must cover every element of every molecule (one fixed length for the set).
    """
    present = {symbol for atoms in molecules for symbol in atoms.get_chemical_symbols()}
    missing = sorted(present - set(species))
    if missing:
        raise FeaturizeError(
            f"The molecules contain {', '.join(missing)}, but SOAP was set up for "
            f"{', '.join(species)} only; add the missing species."
        )
    if any(atoms.pbc.any() for atoms in molecules):
        raise FeaturizeError("The map takes molecules; set pbc=False on every structure.")
    engine = _soap_engine(tuple(species), SOAP_R_CUT, SOAP_N_MAX, SOAP_L_MAX, SOAP_SIGMA, False)
    return _in_chunks(engine, molecules, progress)


def _largest(molecules: list) -> int:
    if not molecules:
        raise FeaturizeError("The molecule set is empty.")
    return max(len(atoms) for atoms in molecules)


def _in_chunks(engine, molecules: list, progress: Progress | None) -> np.ndarray:
    rows = []
    for start in range(0, len(molecules), _FEATURIZE_CHUNK):
        block = list(molecules[start : start + _FEATURIZE_CHUNK])
        rows.append(np.asarray(engine.create(block, n_jobs=1)).reshape(len(block), -1))
        if progress is not None:
            progress(start + len(block), len(molecules))
    return np.concatenate(rows)


def set_fingerprint(dataset: MoleculeSet) -> str:
    """A short hash of the set's elements and geometries: the cache key of its features."""
    digest = hashlib.sha256()
    for atoms in dataset.molecules:
        digest.update(np.ascontiguousarray(atoms.numbers, dtype=np.int64).tobytes())
        digest.update(np.round(atoms.positions, 6).tobytes())
    return digest.hexdigest()[:16]


def featurize_set(
    dataset: MoleculeSet,
    descriptor: str,
    progress: Progress | None = None,
    cache_dir: Path | None = None,
) -> np.ndarray:
    """The descriptor matrix (n molecules × d) of a set, kept on disk after the first time."""
    _check_choice(descriptor, MAP_DESCRIPTORS, "descriptor")
    settings = _descriptor_settings(dataset, descriptor)
    path = _cache_path(dataset, "features", settings, cache_dir)
    stored = load_cache(path, {"values": lambda v: v.ndim == 2 and v.shape[0] == len(dataset)})
    if stored is not None:
        if progress is not None:
            progress(1, 1)
        return stored["values"]
    molecules = list(dataset.molecules)
    if descriptor == "coulomb_eigenvalues":
        values = coulomb_eigenvalues(molecules, dataset.max_atoms, progress)
    else:
        values = average_soap(molecules, dataset.species, progress)
    save_cache(path, values=values)
    return values


def project(
    features: np.ndarray, method: str = "PCA", standardize: bool = True, seed: int = RANDOM_SEED
) -> np.ndarray:
    """(n, 2): the features centred (and, if standardize, scaled to std 1), then PCA or t-SNE.

    (PCA centres the columns itself; StandardScaler only adds the scaling.)
    """
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    _check_choice(method, PROJECTIONS, "projection")
    values = np.asarray(features, dtype=float)
    if values.ndim != 2 or values.shape[0] < 3 or not np.isfinite(values).all():
        raise FeaturizeError("A map needs a finite (molecules × features) matrix of ≥ 3 rows.")
    scaled = StandardScaler(with_std=standardize).fit_transform(values)
    if method == "PCA":
        return PCA(n_components=2, svd_solver="full").fit_transform(scaled)
    from sklearn.manifold import TSNE

    components = min(TSNE_PCA_COMPONENTS, *scaled.shape)
    start = PCA(n_components=components, svd_solver="full").fit_transform(scaled)
    perplexity = min(TSNE_PERPLEXITY, (len(values) - 1) / 3)  # t-SNE needs n > 3·perplexity
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(
        start
    )


def materials_map(
    dataset: MoleculeSet,
    descriptor: str = "coulomb_eigenvalues",
    method: str = "PCA",
    progress: Progress | None = None,
    cache_dir: Path | None = None,
) -> np.ndarray:
    """(n, 2): the set featurized and projected; both steps kept on disk after the first time.

    progress(done, total) counts the featurization; the projection is its last step.
    """
    _check_choice(method, PROJECTIONS, "projection")
    settings = {
        **_descriptor_settings(dataset, descriptor),
        "method": method,
        "standardize": STANDARDIZE[descriptor],
        "seed": RANDOM_SEED,
    }
    path = _cache_path(dataset, "map", settings, cache_dir)
    stored = load_cache(
        path, {"values": lambda v: v.shape == (len(dataset), 2) and np.isfinite(v).all()}
    )
    if stored is not None:
        if progress is not None:
            progress(1, 1)
        return stored["values"]

    def featurizing(done: int, total: int) -> None:
        # the last step (the projection) is reported once it is over
        if progress is not None:
            progress(done, total + 1)

    features = featurize_set(dataset, descriptor, featurizing, cache_dir)
    values = project(features, method, STANDARDIZE[descriptor])
    save_cache(path, values=values)
    if progress is not None:
        progress(1, 1)
    return values


def _descriptor_settings(dataset: MoleculeSet, descriptor: str) -> dict:
    _check_choice(descriptor, MAP_DESCRIPTORS, "descriptor")
    if descriptor == "coulomb_eigenvalues":
        return {"descriptor": descriptor, "n_atoms_max": dataset.max_atoms}
    return {
        "descriptor": descriptor,
        "species": list(dataset.species),
        "r_cut": SOAP_R_CUT,
        "n_max": SOAP_N_MAX,
        "l_max": SOAP_L_MAX,
        "sigma": SOAP_SIGMA,
    }


def _cache_path(dataset: MoleculeSet, kind: str, settings: dict, cache_dir: Path | None) -> Path:
    key = json.dumps({**settings, "format": _MAP_CACHE_FORMAT}, sort_keys=True)
    settings_hash = hashlib.sha256(key.encode()).hexdigest()[:12]
    name = f"{kind}_{settings['descriptor']}_{set_fingerprint(dataset)}_{settings_hash}.npz"
    return (cache_dir or cache_directory()) / name


def _check_choice(value: str, choices, what: str) -> None:
    if value not in choices:
        raise FeaturizeError(f"Unknown {what} {value!r}; choose one of {', '.join(choices)}.")
