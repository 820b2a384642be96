"""A universal interatomic potential, live: SevenNet-0's energy (eV) and forces (eV/Å).

SevenNet-0 is an equivariant message-passing network (the NequIP architecture, a close
relative of MACE) trained on the Materials Project's relaxation trajectories (MPtrj, PBE),
89 elements. Its weights ship inside the `sevenn` wheel: nothing downloads at run time.

An optional extra: torch and sevenn are imported on first use, and without them every
function here raises PotentialUnavailableError, whose message says how to install them.
"""

from __future__ import annotations

import importlib.util
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols

from .errors import FeaturizeError, PotentialUnavailableError

if TYPE_CHECKING:
    from sevenn.calculator import SevenNetCalculator

MODEL_NAME = "SevenNet-0"
# The checkpoint inside the sevenn package (SevenNet-0, 11 July 2024): read from disk only.
CHECKPOINT = ("pretrained_potentials", "SevenNet_0__11Jul2024", "checkpoint_sevennet_0.pth")
# The model computes in float32: changes below these are round-off, not physics.
ENERGY_ROUND_OFF_EV = 1e-5
FORCE_ROUND_OFF_EV_PER_ANGSTROM = 1e-5
# A molecule of a few atoms is too small to share among threads; one thread is faster
# (and leaves the other core to the rest of the class on a shared machine).
TORCH_THREADS = 1

INSTALL_HINT = (
    f"The universal-potential demo needs {MODEL_NAME}, the optional 'foundation' extra. In the "
    "deck's folder run `pip install torch==2.13.0` first (the CPU build; a plain `torch` may "
    'fetch a CUDA build of several GB), then `pip install -e ".[foundation]"` '
    "(or `make foundation` for .venv), and restart the kernel."
)


def potential_available() -> bool:
    """Whether the extra (torch and sevenn) is installed; imports neither."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "sevenn"))


@lru_cache(maxsize=1)
def _calculator() -> SevenNetCalculator:
    """The model, loaded once per process from the checkpoint inside the sevenn package."""
    with warnings.catch_warnings():
        # e3nn compiles its kernels with torch.jit.script, which torch 2.13 calls deprecated
        warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")
        # advice about GPU tensor-product kernels, which a CPU demo cannot use
        warnings.filterwarnings("ignore", message="No tensor product accelerator")
        try:
            import sevenn
            import torch
            from sevenn.calculator import SevenNetCalculator
        except ImportError as error:
            raise PotentialUnavailableError(INSTALL_HINT) from error
        checkpoint = Path(sevenn.__file__).parent.joinpath(*CHECKPOINT)
        if not checkpoint.is_file():  # else sevenn would read the path as a model name
            raise PotentialUnavailableError(
                f"{MODEL_NAME}'s weights are not in the installed sevenn package "
                f"({checkpoint}); reinstall the extra. {INSTALL_HINT}"
            )
        torch.set_num_threads(TORCH_THREADS)
        return SevenNetCalculator(str(checkpoint), device="cpu")


@lru_cache(maxsize=1)
def _evaluate(
    numbers: bytes, positions: bytes, cell: bytes, pbc: bytes
) -> tuple[float, np.ndarray]:
    # Keyed on the structure's bytes: a panel asks for forces and energy of the same atoms.
    atoms = Atoms(
        numbers=np.frombuffer(numbers, dtype=int),
        positions=np.frombuffer(positions, dtype=float).reshape(-1, 3),
        cell=np.frombuffer(cell, dtype=float).reshape(3, 3),
        pbc=np.frombuffer(pbc, dtype=bool),
    )
    atoms.calc = _calculator()
    energy = float(atoms.get_potential_energy())
    forces = np.array(atoms.get_forces(), dtype=float)
    forces.flags.writeable = False  # cached: shared by every caller
    return energy, forces


def energy_and_forces(atoms: Atoms) -> tuple[float, np.ndarray]:
    """SevenNet-0's total energy (eV) and the forces on the atoms, (n, 3) in eV/Å.

    A molecule needs no cell; a crystal needs a full 3-D cell with atoms.pbc set.
    The first call loads the model (a few seconds).
    """
    if not isinstance(atoms, Atoms) or len(atoms) == 0:
        raise FeaturizeError(
            f"Expected an ase.Atoms structure with at least one atom, not {atoms!r}; "
            "build one with featurize.molecule('H2O') or ase.build.bulk('Si')."
        )
    if atoms.pbc.any() and atoms.cell.rank < 3:
        raise FeaturizeError(
            "The structure is marked periodic (pbc) but has no full 3-D cell; set a cell, "
            "or set pbc=False for a molecule."
        )
    calculator = _calculator()
    unknown = sorted(set(atoms.numbers) - set(calculator.type_map))
    if unknown:
        raise FeaturizeError(
            f"{MODEL_NAME} was trained on {len(calculator.type_map)} elements, which do not "
            f"include {', '.join(chemical_symbols[z] for z in unknown)}."
        )
    energy, forces = _evaluate(
        np.asarray(atoms.numbers, dtype=int).tobytes(),
        np.asarray(atoms.positions, dtype=float).tobytes(),
        np.asarray(atoms.cell, dtype=float).tobytes(),
        np.asarray(atoms.pbc, dtype=bool).tobytes(),
    )
    return energy, forces.copy()


def potential_energy(atoms: Atoms) -> float:
    """SevenNet-0's total energy in eV: the same however the structure is turned or numbered."""
    return energy_and_forces(atoms)[0]


def forces(atoms: Atoms) -> np.ndarray:
    """SevenNet-0's forces, (n, 3) in eV/Å: row i is the force on atom i, F = −∂E/∂r_i.

    They turn with the structure (F(R·r) = R·F(r)) and follow its atom order.
    """
    return energy_and_forces(atoms)[1]
