"""Precompute what the live ML demos would otherwise compute on first use: `make data`.

    python scripts/make_data.py [--cache-dir DIR] [--quick]

Writes into the cache directory ($FEATURIZE_CACHE, else ~/.cache/featurize): the QM9
subset (≤ 7 heavy atoms), the map of every (set, descriptor, projection), and the learning
curves of both recipes (featurize.regression.LEARNING_CURVE_FILE). The panels read these files if present and compute what is
missing on demand. --quick skips the t-SNE maps (the slowest part, ~1 min on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from featurize.cache import CACHE_ENVIRONMENT_VARIABLE
from featurize.datasets import g2_set, qm9_set
from featurize.maps import MAP_DESCRIPTORS, PROJECTIONS, materials_map
from featurize.regression import RECIPES, Qm9Regression, learning_curve, save_learning_curve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache-dir", type=Path, help="sets $FEATURIZE_CACHE (default: ~/.cache/featurize)"
    )
    parser.add_argument("--quick", action="store_true", help="skip the t-SNE maps")
    options = parser.parse_args(argv)
    if options.cache_dir is not None:  # for everything below, as for the panels later
        os.environ[CACHE_ENVIRONMENT_VARIABLE] = str(options.cache_dir)
    start = time.perf_counter()

    def step(text: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {text}", flush=True)

    step("QM9, ≤ 7 heavy atoms")
    sets = [qm9_set(), g2_set()]
    projections = ["PCA"] if options.quick else list(PROJECTIONS)
    for dataset in sets:
        for descriptor in MAP_DESCRIPTORS:
            for method in projections:
                step(f"map: {dataset.label}, {descriptor}, {method}")
                materials_map(dataset, descriptor, method)
    step("learning curve")
    curve = learning_curve(regression=Qm9Regression(sets[0]))
    path = save_learning_curve(curve)
    step(f"wrote {path}")
    for key, recipe_curve in curve.curves.items():
        print(f"{RECIPES[key].label}:")
        print(f"{'N':>6} {'test MAE':>10} {'CV MAE':>8} {'gamma':>8} {'lambda':>8}   (kcal/mol)")
        rows = zip(
            curve.sizes,
            recipe_curve.test_mae,
            recipe_curve.cv_mae,
            recipe_curve.gamma,
            recipe_curve.alpha,
            strict=True,
        )
        for row in rows:
            print("{:6d} {:10.2f} {:8.2f} {:8.0e} {:8.0e}".format(*row))
        print(
            f"G2 (experiment): {curve.g2_n_train} to train, {curve.g2_n_test} to test, "
            f"test MAE {recipe_curve.g2_test_mae:.1f} kcal/mol"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
