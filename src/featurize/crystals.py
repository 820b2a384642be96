"""Crystals for the structural demos: a material is not always a molecule.

ASE builds them (ase.build.bulk, the conventional cubic cell, periodic in all three
directions); ase.build is imported on first use, as it pulls in scipy.
"""

from __future__ import annotations

from types import MappingProxyType

from ase import Atoms

from .errors import FeaturizeError
from .molecules import molecule
from .settings import CRYSTAL_RATTLE_SEED, CRYSTAL_RATTLE_STDEV, DEMO_CRYSTALS

# What the structure chooser of a demo calls each structure: label → crystal name (None: water).
DEMO_STRUCTURE_LABELS = MappingProxyType(
    {
        "water (molecule)": None,
        "Si (diamond)": "Si",
        "NaCl (rock salt)": "NaCl",
        "Cu (fcc)": "Cu",
    }
)


def crystal(name: str, rattled: bool = False) -> Atoms:
    """A demo crystal ("Si", "NaCl", "Cu"): its conventional cubic cell (8, 8 and 4 atoms).

    rattled: every atom shifted at random (ASE's rattle, CRYSTAL_RATTLE_STDEV Å, fixed
    seed), so that the forces on the atoms are not all zero by symmetry.
    """
    if name not in DEMO_CRYSTALS:
        raise FeaturizeError(
            f"{name!r} is not one of the demo crystals; choose one of {', '.join(DEMO_CRYSTALS)}, "
            "or build any other with ase.build.bulk."
        )
    from ase.build import bulk

    structure, lattice_constant = DEMO_CRYSTALS[name]
    atoms = bulk(name, structure, a=lattice_constant, cubic=True)
    if rattled:
        atoms.rattle(CRYSTAL_RATTLE_STDEV, seed=CRYSTAL_RATTLE_SEED)
    return atoms


def demo_structures(rattled: bool = False) -> dict[str, Atoms]:
    """Water and the three demo crystals, by the label a structure chooser shows.

    rattled: the crystals with their atoms shaken off their sites (water stays as it is).
    """
    return {
        label: molecule("H2O") if name is None else crystal(name, rattled)
        for label, name in DEMO_STRUCTURE_LABELS.items()
    }
