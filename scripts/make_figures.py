"""Draw every picture the deck shows into notebooks/img/: `python scripts/make_figures.py [--out DIR] [NAME …]`.

Deterministic (fixed seeds, no timestamps in the files), drawn by our own code:
matplotlib for diagrams, scikit-learn for the models the figures show. The lecture's
figures are in lecture_figures.py, the landing page's thumbnails in thumbnails.py; both
share figure_style.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lecture_figures  # noqa: F401  (registers the lecture's figures)
import thumbnails  # noqa: F401  (registers the thumbnails)
from figure_style import FIGURES, IMG


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"figures to draw (default all): {', '.join(FIGURES)}"
    )
    parser.add_argument(
        "--out", type=Path, default=IMG, help="folder to write into (default notebooks/img/)"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or FIGURES:
        print(f"drawing {name}", flush=True)
        FIGURES[name](args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
