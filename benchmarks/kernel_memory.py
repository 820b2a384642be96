"""Resident memory of one kernel per page, after running it: the table in docs/deploy.md.

    python benchmarks/kernel_memory.py [PAGE …]     (default: every demo page and the lecture)

Each page runs top to bottom in a fresh kernel, one page at a time, and the kernel's RSS is
read once it is done (bench.py's kernel_rss_mb does the same for the coordinates page,
whose slider it also turns). The potential page needs `make foundation`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def main(argv: list[str] | None = None) -> int:
    import bench

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="demo page names, or 'lecture'")
    args = parser.parse_args(argv)
    names = args.pages or [*bench.DEMO_PAGES, "lecture"]
    paths = {name: NOTEBOOKS / "demos" / f"{name}.ipynb" for name in bench.DEMO_PAGES}
    paths["lecture"] = NOTEBOOKS / "lecture.ipynb"
    unknown = sorted(set(names) - set(paths))
    if unknown:
        parser.error(f"no such page: {', '.join(unknown)}; pages: {', '.join(paths)}")
    print(f"{'page':<18} {'MB':>6}")
    for name in names:
        print(f"{name:<18} {bench.kernel_rss_mb(paths[name]):>6.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
