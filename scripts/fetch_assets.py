"""Fetch the browser libraries the pages need, once, so they never come from a CDN.

`python scripts/fetch_assets.py [present|serve] [--out DIR]`: downloads pinned packages
from the npm registry, checks each tarball against the registry's sha512, and unpacks only
the files the pages load. Runs again only when the pins change; after that, presenting,
serving and the offline slide file need no network at all.

present: reveal.js and friends for `make present` and `make slides`.
serve:   plotly.js's cartesian bundle, from which etc/jupyter/voila.py builds the demo
         pages' lean plotly widget code (`make serve`).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "share" / "jupyter" / "voila" / "templates"
REGISTRY = "https://registry.npmjs.org"

# Each group goes into its template's static/vendor folder (git ignores both).
OUT = {
    "present": TEMPLATES / "deck-reveal" / "static" / "vendor",
    "serve": TEMPLATES / "deck" / "static" / "vendor",
}
# name, version, sha512 integrity from the registry, files (prefixes) kept from package/
SERVE_PACKAGES = [
    (
        # Every trace the panels draw (scatter, bar, histogram, heatmap) in 1.4 MB instead
        # of plotly.js's full 4.6 MB; tests/panels/ checks the panels stay within it.
        # 3.7.0 is the newest cartesian build on the registry; plotly 7.1 bundles 3.8.2.
        "plotly.js-cartesian-dist-min",
        "3.7.0",
        "kfQjcAXXByRlskP8JsrlGYRPOvB+kOehZk/qBNewgr9SOMEnBN5nwEnUGOAQ0EEgYdQX51z3VZ81aBnDgSr9Bw==",
        ["plotly-cartesian.min.js", "LICENSE"],
    ),
]
PRESENT_PACKAGES = [
    (
        "reveal.js",
        "5.2.1",
        "r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ==",
        [
            "dist/reveal.css",
            "dist/reveal.js",
            "dist/theme/white.css",
            "dist/theme/fonts/",
            "plugin/notes/",
        ],
    ),
    (
        "@jupyter-widgets/html-manager",
        "1.0.15",
        "5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        ["dist/"],
    ),
    (
        "requirejs",
        "2.3.8",
        "7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        ["require.js"],
    ),
    (
        # Voila's reveal bundle calls window.$ and its template would load jQuery from a CDN.
        "jquery",
        "3.7.1",
        "m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        ["dist/jquery.min.js"],
    ),
    (
        # MathJax 2, the version nbconvert's and Voila's reveal templates drive. SVG output
        # draws glyphs from JavaScript data: no web fonts to fetch, no font-loading probes.
        "mathjax",
        "2.7.9",
        "NOGEDTIM9+MrsqnjPEjVGNx4q0GQxqm61yQwSK+/5S59i26wId5IC5gNu9/bu8+CCVl5p9G2IHcAl/wJa+5+BQ==",
        [
            "MathJax.js",
            "config/TeX-AMS_SVG-full.js",
            "config/Safe.js",
            "extensions/",
            "jax/element/",
            "jax/input/TeX/",
            "jax/output/SVG/autoload/",
            "jax/output/SVG/config.js",
            "jax/output/SVG/jax.js",
            "jax/output/SVG/fonts/TeX/",
            "localization/en/",
        ],
    ),
]


def folder_name(name: str) -> str:
    """reveal.js → reveal.js, @jupyter-widgets/html-manager → html-manager."""
    return name.rsplit("/", 1)[-1]


def fetch(name: str, version: str, integrity: str, keep: list[str], out: Path) -> None:
    url = f"{REGISTRY}/{name}/-/{folder_name(name)}-{version}.tgz"
    print(f"fetching {name}@{version}", flush=True)
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != integrity:
        raise SystemExit(f"{url}: sha512 does not match the pinned one; refusing to use it")
    target = out / folder_name(name)
    shutil.rmtree(target, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            inside = member.name.removeprefix("package/")
            if member.isfile() and any(inside.startswith(prefix) for prefix in keep):
                if inside.endswith(".map"):
                    continue
                destination = target / inside
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.extractfile(member).read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", nargs="?", choices=sorted(OUT), default="present")
    parser.add_argument(
        "--out", type=Path, help="folder (default: the group's template's static/vendor)"
    )
    args = parser.parse_args(argv)
    out = args.out or OUT[args.group]
    packages = SERVE_PACKAGES if args.group == "serve" else PRESENT_PACKAGES
    stamp = out / "pins.json"
    pins = json.dumps(packages)  # a new version or a new file kept fetches again
    if stamp.is_file() and stamp.read_text() == pins:
        return 0
    out.mkdir(parents=True, exist_ok=True)
    # Two runs at once (make -j, test workers) would empty each other's folders mid-write:
    # the second waits for the first, then finds the stamp.
    with (out / ".fetching").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text() == pins:
            return 0
        try:
            for package in packages:
                fetch(*package, out=out)
        except OSError as error:
            names = ", ".join(name for name, *_ in packages)
            raise SystemExit(
                f"Could not download from the npm registry ({error}). The pages need {names} "
                f"once; connect and run `make {args.group}` again."
            ) from error
        stamp.write_text(pins)
    return 0


if __name__ == "__main__":
    sys.exit(main())
