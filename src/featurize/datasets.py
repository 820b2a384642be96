"""Real molecule sets with a property to learn: G2 (experiment) and QM9 (DFT).

Both give molecules (ase.Atoms, positions in Å) and their atomization energy in kcal/mol,
with one sign convention: E(molecule) − Σ E(free atoms), negative for a bound molecule
(as in QM7 and QM9, and Rupp et al., PRL 108, 058301 (2012)). Both leave out the
zero-point vibrational energy (ZPVE): QM9's U0 includes it, so the molecule's ZPVE is
subtracted (free atoms have none); G2's experimental values are corrected for it. QM7,
the set of Rupp et al., also holds electronic energies without zero-point motion.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import MappingProxyType

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers, chemical_symbols

from .cache import cache_directory, load_cache, save_cache
from .errors import FeaturizeError
from .molecules import molecule

Progress = Callable[[int, int], None]
"""progress(done, total): called now and then during a slow step, so a panel can show a bar."""

HARTREE_TO_KCAL_PER_MOL = 627.509
# The size limit of QM7 (Rupp et al. 2012: ≤ 7 of C, N, O, S, PBE0 energies); QM9's heavy
# atoms are C, N, O and F and its energies B3LYP, so this subset is like QM7, not QM7.
QM9_MAX_HEAVY_ATOMS = 7
QM9_PACKAGE = "qm9pack"  # QM9 inside the wheel: nothing is downloaded at run time
QM9_FILES = ("qm9_part1.csv", "qm9_part2.csv", "qm9_part3.csv")
# The free atoms' U0 (Hartree) at QM9's level of theory, B3LYP/6-31G(2df,p): the
# "atomref" table of Ramakrishnan, Dral, Rupp, von Lilienfeld, Sci. Data 1, 140022 (2014).
QM9_ATOM_REFERENCE_U0_HARTREE = MappingProxyType(
    {"H": -0.500273, "C": -37.846772, "N": -54.583861, "O": -75.064579, "F": -99.718730}
)
# Bump when the cached arrays change meaning; it is part of the file name too, so that two
# versions of the deck sharing a cache directory never read each other's file.
_QM9_CACHE_FORMAT = 2  # 2: the ZPVE column is kept
_PROGRESS_EVERY_ROWS = 4000


class DataMissingError(FeaturizeError):
    """A data set the deck needs is not installed where it should be."""


@dataclass(frozen=True, eq=False)
class MoleculeSet:
    """Molecules with one property each: the material for the map and the regression.

    names: G2's keys ("CH4") or QM9's SMILES; descriptions: what to show a reader.
    atomization_energy in kcal/mol, E(molecule) − Σ E(atoms) (negative: bound).
    """

    label: str
    names: tuple[str, ...]
    descriptions: tuple[str, ...]
    molecules: tuple[Atoms, ...]
    atomization_energy: np.ndarray

    def __len__(self) -> int:
        return len(self.molecules)

    @property
    def n_atoms(self) -> np.ndarray:
        """Atoms per molecule, hydrogens included."""
        return np.array([len(atoms) for atoms in self.molecules])

    @property
    def heavy_atoms(self) -> np.ndarray:
        """Atoms other than hydrogen, per molecule."""
        return np.array([int(np.count_nonzero(a.numbers > 1)) for a in self.molecules])

    @property
    def species(self) -> tuple[str, ...]:
        """Every element present, in order of atomic number."""
        numbers = set().union(*(set(atoms.numbers) for atoms in self.molecules))
        return tuple(chemical_symbols[z] for z in sorted(numbers))

    @property
    def max_atoms(self) -> int:
        return int(self.n_atoms.max())

    def subset(self, indices: Sequence[int] | np.ndarray, label: str | None = None) -> MoleculeSet:
        """The molecules at the given positions, in that order."""
        chosen = np.asarray(indices, dtype=int)
        return MoleculeSet(
            label=label or f"{self.label} ({len(chosen)} of {len(self)})",
            names=tuple(self.names[i] for i in chosen),
            descriptions=tuple(self.descriptions[i] for i in chosen),
            molecules=tuple(self.molecules[i] for i in chosen),
            atomization_energy=self.atomization_energy[chosen],
        )


# -- G2 -------------------------------------------------------------------------------
def g2_atomization_energy(name: str) -> float:
    """G2's experimental atomization energy of a molecule, kcal/mol, negative when bound.

    ASE's recipe (ase.data.g2_1.get_atomization_energy, which knows G2-1 only) applied to
    G2-1 and G2-2: D = −ΔfH(298 K) + ZPE + [H(298 K) − H(0 K)] + Σ_atoms [ΔfH(0 K) − thermal],
    i.e. the energy to pull the molecule apart without zero-point motion; returned as −D.
    """
    from ase.data import g2 as g2_data

    if name not in g2_data.molecule_names:
        raise FeaturizeError(
            f"{name!r} is not a molecule of the G2 set; "
            "featurize.datasets.g2_set().names lists them."
        )
    record = g2_data.data[name]
    binding = -record["enthalpy"] + record["ZPE"] + record["thermal correction"]
    for symbol in molecule(name).get_chemical_symbols():
        atom = g2_data.data[symbol]
        binding += atom["enthalpy"] - atom["thermal correction"]
    return -float(binding)


def g2_set() -> MoleculeSet:
    """The 148 molecules of G2 (ASE), MP2 geometries, experimental atomization energies."""
    from ase.data import g2 as g2_data

    names = tuple(g2_data.molecule_names)
    return MoleculeSet(
        label="G2 (experiment)",
        names=names,
        descriptions=tuple(g2_data.data[name]["description"] for name in names),
        molecules=tuple(molecule(name) for name in names),
        atomization_energy=np.array([g2_atomization_energy(name) for name in names]),
    )


# -- QM9 ------------------------------------------------------------------------------
def qm9_atomization_energy(symbols: Sequence[str], u0_hartree: float, zpve_hartree: float) -> float:
    """[U0(molecule) − ZPVE(molecule)] − Σ U0(free atoms) in kcal/mol: QM9's B3LYP energies
    and atomic references, without the molecule's zero-point vibrational energy."""
    unknown = sorted(set(symbols) - set(QM9_ATOM_REFERENCE_U0_HARTREE))
    if unknown:
        raise FeaturizeError(
            f"QM9 has reference energies for H, C, N, O and F only, not {', '.join(unknown)}."
        )
    atoms_hartree = sum(QM9_ATOM_REFERENCE_U0_HARTREE[s] for s in symbols)
    electronic = float(u0_hartree) - float(zpve_hartree)
    return (electronic - atoms_hartree) * HARTREE_TO_KCAL_PER_MOL


def qm9_files() -> list[Path]:
    """The QM9 CSV files inside the installed qm9pack wheel."""
    try:
        distribution = metadata.distribution(QM9_PACKAGE)
    except metadata.PackageNotFoundError:
        raise DataMissingError(
            f"QM9 comes with the Python package {QM9_PACKAGE!r}, which is not installed; "
            "run `make serve` (or `pip install -e .`) to install the deck's dependencies."
        ) from None
    # located, not imported: importing qm9pack pulls in the deprecated pkg_resources
    files = [Path(distribution.locate_file(f"{QM9_PACKAGE}/data/{name}")) for name in QM9_FILES]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise DataMissingError(
            f"The QM9 data files are missing from the {QM9_PACKAGE} installation "
            f"({', '.join(missing)}); reinstall it: pip install --force-reinstall {QM9_PACKAGE}."
        )
    return files


def qm9_set(
    max_heavy_atoms: int = QM9_MAX_HEAVY_ATOMS,
    progress: Progress | None = None,
    cache_dir: Path | None = None,
) -> MoleculeSet:
    """The QM9 molecules with at most max_heavy_atoms atoms other than H (3921 for 7).

    Geometries (Å) and U0 − ZPVE at B3LYP/6-31G(2df,p); atomization energy in kcal/mol.
    The subset is read from the CSVs once and kept in the cache directory as an .npz.
    """
    if not isinstance(max_heavy_atoms, int) or not 1 <= max_heavy_atoms <= 9:
        raise FeaturizeError(
            f"QM9 molecules have 1 to 9 heavy atoms; max_heavy_atoms={max_heavy_atoms!r}."
        )
    name = f"qm9_heavy{max_heavy_atoms}_v{_QM9_CACHE_FORMAT}.npz"
    path = (cache_dir or cache_directory()) / name
    stored = load_cache(path, QM9_CACHE_CHECKS, _consistent)
    if stored is None:
        stored = _read_qm9(max_heavy_atoms, progress)
        save_cache(path, **stored)
    elif progress is not None:
        progress(1, 1)
    return _molecule_set_from_arrays(stored, max_heavy_atoms)


# What a cached QM9 subset must hold to be used: this format, and arrays that agree.
QM9_CACHE_CHECKS = {
    "format": lambda a: a.shape == () and int(a) == _QM9_CACHE_FORMAT,
    "counts": lambda a: a.ndim == 1 and len(a) > 0 and (a > 0).all(),
    "numbers": lambda a: a.ndim == 1 and (a > 0).all(),
    "positions": lambda a: a.ndim == 2 and a.shape[1] == 3 and np.isfinite(a).all(),
    "smiles": lambda a: a.ndim == 1,
    "index": lambda a: a.ndim == 1,
    "u0_hartree": lambda a: a.ndim == 1 and np.isfinite(a).all(),
    "zpve_hartree": lambda a: a.ndim == 1 and np.isfinite(a).all() and (a >= 0).all(),
}


def _consistent(arrays: dict[str, np.ndarray]) -> bool:
    atoms, molecules = int(arrays["counts"].sum()), len(arrays["counts"])
    return (
        len(arrays["numbers"]) == len(arrays["positions"]) == atoms
        and len(arrays["smiles"])
        == len(arrays["index"])
        == len(arrays["u0_hartree"])
        == len(arrays["zpve_hartree"])
        == molecules
    )


def _read_qm9(max_heavy_atoms: int, progress: Progress | None) -> dict[str, np.ndarray]:
    files = qm9_files()
    total = sum(path.stat().st_size for path in files)
    done = 0
    numbers, positions, counts, smiles, index, u0, zpve = [], [], [], [], [], [], []
    csv.field_size_limit(1 << 24)  # the frequency and XYZ columns are long
    for path in files:
        with path.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
            rows = csv.reader(text)
            column = {name: i for i, name in enumerate(next(rows))}
            for row_number, row in enumerate(rows):
                if progress is not None and row_number % _PROGRESS_EVERY_ROWS == 0:
                    progress(done + raw.tell(), total)
                # Stoichiometry counts [H, C, N, O, F]: heavy atoms without parsing geometry
                hydrogens = int(row[column["Stoichiometry"]].strip("[]").split(",")[0])
                if int(row[column["N_atoms"]]) - hydrogens > max_heavy_atoms:
                    continue
                symbols = [s.strip(" '\"") for s in row[column["Elements"]].strip("[]").split(",")]
                xyz = np.array(
                    row[column["XYZ_Ang"]].replace("[", "").replace("]", "").split(","),
                    dtype=float,
                ).reshape(-1, 3)
                if len(symbols) != len(xyz):
                    raise DataMissingError(f"{path.name}: a row's elements and XYZ disagree.")
                numbers.extend(atomic_numbers[s] for s in symbols)
                positions.append(xyz)
                counts.append(len(symbols))
                smiles.append(row[column["SMILES"]])
                index.append(int(row[column["Index"]]))
                u0.append(float(row[column["InternalEnergy_0K_au"]]))
                zpve.append(float(row[column["ZPVE_au"]]))
        done += path.stat().st_size
    if progress is not None:
        progress(total, total)
    return {
        "format": np.array(_QM9_CACHE_FORMAT),
        "numbers": np.array(numbers, dtype=np.int8),
        "positions": np.concatenate(positions),
        "counts": np.array(counts, dtype=np.int32),
        "smiles": np.array(smiles, dtype=str),
        "index": np.array(index, dtype=np.int64),
        "u0_hartree": np.array(u0),
        "zpve_hartree": np.array(zpve),
    }


def _molecule_set_from_arrays(stored: dict[str, np.ndarray], max_heavy_atoms: int) -> MoleculeSet:
    starts = np.concatenate([[0], np.cumsum(stored["counts"])])
    molecules = tuple(
        Atoms(numbers=stored["numbers"][a:b], positions=stored["positions"][a:b])
        for a, b in itertools.pairwise(starts)
    )
    energy = np.array(
        [
            qm9_atomization_energy(atoms.get_chemical_symbols(), u0, zpve)
            for atoms, u0, zpve in zip(
                molecules, stored["u0_hartree"], stored["zpve_hartree"], strict=True
            )
        ]
    )
    smiles = tuple(str(s) for s in stored["smiles"])
    return MoleculeSet(
        label=f"QM9, ≤ {max_heavy_atoms} heavy atoms (DFT)",
        names=smiles,
        descriptions=tuple(
            f"QM9 #{int(i)}: {s}" for i, s in zip(stored["index"], smiles, strict=True)
        ),
        molecules=molecules,
        atomization_energy=energy,
    )
