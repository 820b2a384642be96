"""Where slow results are kept between runs, and how they are written and read back.

The QM9 subset, the descriptor maps and the learning curve take seconds to minutes to
compute; a kernel reads them from here instead. A file that cannot be trusted (truncated,
bit-flipped, from another version, missing an array) is never used: reading it gives None,
the file is removed, and the caller computes the result again and writes it anew.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

CACHE_ENVIRONMENT_VARIABLE = "FEATURIZE_CACHE"


def cache_directory() -> Path:
    """Where slow results are kept: $FEATURIZE_CACHE, else ~/.cache/featurize."""
    chosen = os.environ.get(CACHE_ENVIRONMENT_VARIABLE)
    return Path(chosen).expanduser() if chosen else Path.home() / ".cache" / "featurize"


def write_atomically(path: Path, data: bytes) -> bool:
    """Write a file so that a reader sees the old content or the new, never half of it;
    whether it was written (a read-only cache costs speed, not correctness: a warning)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(path)
        return True
    except OSError as error:
        warnings.warn(f"Could not write the cache {path}: {error}", stacklevel=3)
        return False


def save_cache(path: Path, **arrays: np.ndarray) -> None:
    """Arrays into an .npz, atomically."""
    import io

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_atomically(path, buffer.getvalue())


def load_cache(
    path: Path,
    checks: Mapping[str, Callable[[np.ndarray], bool]],
    agree: Callable[[dict[str, np.ndarray]], bool] = lambda arrays: True,
) -> dict[str, np.ndarray] | None:
    """The arrays of an .npz cache if it has every array of `checks`, each passes its check
    (shape, dtype, finiteness…) and together they `agree`; None otherwise: no file, or one
    that cannot be trusted, which is then removed so that the result is computed and
    written again."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}  # reads (and CRC-checks) all
        if all(name in arrays and check(arrays[name]) for name, check in checks.items()) and agree(
            arrays
        ):
            return arrays
    except Exception:
        pass
    with contextlib.suppress(OSError):  # gone already, or read-only: recomputed anyway
        path.unlink()
    return None
