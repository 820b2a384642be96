"""`make bench`: how fast the demos answer and what they cost, written to build/bench.json.

    python benchmarks/run.py [--quick] [--out build/bench.json]

Figures (medians over repeats unless named otherwise; see issue 6 for the targets):
  update_ms_p95.<panel>   Python side: set a panel's control until its figure holds the new
                          data, 95th percentile over ≥ 200 changes (--quick: 20)
  overhead.<descriptor>   featurize's call time / the engine called directly, same input
  kernel_rss_mb           resident memory of a kernel that ran a demo page and was used

The speed figures are measured here, never asserted in the test suite: this machine is
shared and noisy, so compare figures of one run, or ratios, not single numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import timeit
from itertools import cycle, islice
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "update_ms_p95": 10,
    "overhead": 1.1,
    "kernel_rss_mb": 150,
}


def p95(samples: list[float]) -> float:
    return float(np.percentile(samples, 95))


def figure_data(panel) -> str:
    return json.dumps(panel.figure.to_plotly_json()["data"], default=str)


def update_times_ms(panel, control, values, changes: int, witness=figure_data) -> list[float]:
    """Time each `control.value = v` until the panel's figure holds the new data.

    Observers run synchronously, so the assignment returns with the figure updated;
    witness(panel) (outside the timing) proves every change was redrawn.
    """
    times = []
    before = witness(panel)
    for value in islice(cycle(values), changes):
        start = time.perf_counter()
        control.value = value
        times.append((time.perf_counter() - start) * 1000)
        after = witness(panel)
        if after == before:
            raise RuntimeError(f"{type(panel).__name__}: {value!r} left the figure as it was")
        before = after
    return times


def bench_updates(changes: int) -> dict[str, float]:
    import featurize as fz
    from featurize.panels import FingerprintPanel, LikelihoodPanel, StructurePanel

    water = fz.molecule("H2O")
    results = {}
    for name, descriptor in [
        ("coordinates", fz.coordinates),
        ("coulomb_matrix", fz.coulomb_matrix),
        ("soap", fz.soap),
    ]:
        panel = StructurePanel(water, descriptor=descriptor)
        slider = panel.rotation_z
        angles = list(range(slider.min, slider.max + 1, slider.step or 1))
        angles = [a for a in angles if a != slider.value] + [slider.value]
        # Turning leaves an invariant descriptor's figure as it was (that is the lesson), so
        # the witness is the freshly computed array the panel drew, not the figure's data.
        results[name] = p95(
            update_times_ms(panel, slider, angles, changes, witness=lambda p: id(p.values))
        )
    panel = FingerprintPanel()
    smiles = [value for _, value in panel.molecule_choice.options if value]  # skip "(typed)"
    results["fingerprint"] = p95(
        update_times_ms(panel, panel.molecule_choice, smiles[1:] + smiles[:1], changes)
    )
    panel = LikelihoodPanel()
    mu = panel.mu
    means = list(np.round(np.arange(mu.min, mu.max, 0.1), 1))
    results["likelihood"] = p95(update_times_ms(panel, mu, means, changes))
    return {f"update_ms_p95.{name}": value for name, value in results.items()}


def ratio(ours, engine, repeats: int) -> float:
    """Median time of ours() over median time of engine(), interleaved to share the noise."""
    number = 20
    ours_t, engine_t = [], []
    for _ in range(repeats):
        ours_t.append(timeit.timeit(ours, number=number))
        engine_t.append(timeit.timeit(engine, number=number))
    return statistics.median(ours_t) / statistics.median(engine_t)


def bench_overhead(repeats: int) -> dict[str, float]:
    from dscribe.descriptors import SOAP, CoulombMatrix
    from rdkit import Chem
    from rdkit.Chem import rdFingerprintGenerator

    import featurize as fz
    from featurize import settings

    caffeine = Chem.MolFromSmiles(settings.DEMO_MOLECULES["Caffeine"])
    generator = rdFingerprintGenerator.GetMorganGenerator(
        radius=settings.MORGAN_RADIUS, fpSize=settings.MORGAN_BITS
    )
    molecule = fz.atoms_from_smiles(settings.DEMO_MOLECULES["Caffeine"])
    coulomb = CoulombMatrix(n_atoms_max=len(molecule), permutation="none")
    species = sorted(set(molecule.get_chemical_symbols()))
    soap = SOAP(
        species=species,
        r_cut=settings.SOAP_R_CUT,
        n_max=settings.SOAP_N_MAX,
        l_max=settings.SOAP_L_MAX,
        sigma=settings.SOAP_SIGMA,
        average="outer",
    )
    fz.soap(molecule)  # warm the caches both sides keep
    return {
        "overhead.morgan": ratio(
            lambda: fz.morgan_fingerprint(caffeine),
            lambda: generator.GetFingerprintAsNumPy(caffeine),
            repeats,
        ),
        "overhead.coulomb_matrix": ratio(
            lambda: fz.coulomb_matrix(molecule), lambda: coulomb.create(molecule), repeats
        ),
        "overhead.soap": ratio(lambda: fz.soap(molecule), lambda: soap.create(molecule), repeats),
    }


def bench_kernel_rss() -> dict[str, float]:
    """Run the coordinates demo page in a real kernel, turn its slider, read the kernel's RSS."""
    import nbformat
    import psutil
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "notebooks" / "demos" / "coordinates.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell("for angle in range(0, 360, 5):\n    _.rotation_z.value = angle")
    )
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(ROOT / "notebooks"))
    try:
        NotebookClient(notebook, km=manager).execute()  # leaves a kernel it did not start
        rss = psutil.Process(manager.provisioner.pid).memory_info().rss
    finally:
        manager.shutdown_kernel(now=True)
    return {"kernel_rss_mb": rss / 2**20}


def target_of(key: str) -> float | None:
    return TARGETS.get(key, TARGETS.get(key.split(".")[0]))


def table(figures: dict[str, float]) -> str:
    lines = [f"{'figure':<28} {'value':>10} {'target':>8}  ", "-" * 52]
    for key, value in figures.items():
        target = target_of(key)
        mark = "" if target is None else ("ok" if value <= target else "OVER")
        target_text = "" if target is None else f"≤ {target:g}"
        lines.append(f"{key:<28} {value:>10.3f} {target_text:>8}  {mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, to check it works")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args(argv)
    changes, repeats = (20, 3) if args.quick else (200, 15)
    figures: dict[str, float] = {}
    for title, step in [
        (f"panel updates ({changes} changes each)", lambda: bench_updates(changes)),
        (f"featurize vs engine ({repeats} repeats)", lambda: bench_overhead(repeats)),
        ("kernel memory after a demo page", bench_kernel_rss),
    ]:
        print(f"- {title} …", flush=True)
        figures.update(step())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(table(figures))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
