"""featurize.cache: a cache file that cannot be trusted is never used, and is replaced.

The cases are those of the red-team report (6.4, 6.5): a truncated, empty or bit-flipped
file, a valid .npz without the array asked for, and arrays of the wrong shape. Before, the
first three crashed the loader (BadZipFile, EOFError) and broke the materials map for every
visitor, across restarts."""

import numpy as np
import pytest

from featurize import datasets, maps
from featurize.cache import load_cache, save_cache

CHECKS = {"values": lambda v: v.shape == (4, 2) and np.isfinite(v).all()}
GOOD = np.arange(8.0).reshape(4, 2)


def damaged(kind: str, data: bytes) -> bytes:
    if kind == "truncated":
        return data[: len(data) // 2]
    if kind == "empty":
        return b""
    flipped = bytearray(data)  # a bit in the compressed array, past the zip headers
    flipped[len(data) // 2] ^= 0x10
    return bytes(flipped)


@pytest.mark.parametrize("kind", ["truncated", "empty", "bit-flipped"])
def test_a_damaged_file_is_removed_and_read_as_missing(tmp_path, kind):
    path = tmp_path / "map.npz"
    save_cache(path, values=GOOD)
    np.testing.assert_array_equal(load_cache(path, CHECKS)["values"], GOOD)
    path.write_bytes(damaged(kind, path.read_bytes()))
    assert load_cache(path, CHECKS) is None
    assert not path.exists()  # so that it is computed again and rewritten


@pytest.mark.parametrize(
    "arrays",
    [{"other": GOOD}, {"values": GOOD[:3]}, {"values": np.full((4, 2), np.nan)}],
    ids=["missing array", "wrong shape", "not finite"],
)
def test_a_file_that_fails_its_checks_is_read_as_missing(tmp_path, arrays):
    path = tmp_path / "map.npz"
    save_cache(path, **arrays)
    assert load_cache(path, CHECKS) is None


def test_a_damaged_qm9_cache_is_rebuilt(tmp_path):
    first = datasets.qm9_set(2, cache_dir=tmp_path)
    path = tmp_path / f"qm9_heavy2_v{datasets._QM9_CACHE_FORMAT}.npz"
    path.write_bytes(damaged("bit-flipped", path.read_bytes()))
    again = datasets.qm9_set(2, cache_dir=tmp_path)
    assert again.names == first.names
    assert load_cache(path, datasets.QM9_CACHE_CHECKS, datasets._consistent) is not None


def test_a_damaged_map_is_recomputed(tmp_path):
    g2 = datasets.g2_set()
    first = maps.materials_map(g2, "coulomb_eigenvalues", "PCA", cache_dir=tmp_path)
    for path in tmp_path.glob("*.npz"):
        path.write_bytes(damaged("truncated", path.read_bytes()))
    again = maps.materials_map(g2, "coulomb_eigenvalues", "PCA", cache_dir=tmp_path)
    np.testing.assert_allclose(again, first)
