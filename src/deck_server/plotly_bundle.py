"""plotly's widget code as one file the server sends once per page, with plotly.js's
cartesian build inside it instead of the full one (1.5 MB of code instead of 4.9).

A plotly FigureWidget carries its JavaScript in every figure's state, and the browser
compiles it once per figure. Here:

- `build` (a build step: `python -m deck_server.plotly_bundle`, run by the Makefile and
  Binder's postBuild after scripts/fetch_assets.py has fetched the cartesian build) writes
  the lean bundle into the deck template's static folder, with a stamp saying what it was
  built from;
- `announce` (run by the server's settings) tells the kernels it starts, through the
  environment variable DECK_PLOTLY_BUNDLE, where the bundle is served and which plotly it
  was built from;
- `served_module` (run in a kernel, by featurize.panels) gives a figure a two-line module
  importing the served file, when the kernel's plotly is the one the bundle was built from.

Without the build, or for a kernel whose plotly differs, figures keep plotly's own code.
This module imports neither plotly nor tornado.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import re
import sys
from pathlib import Path

from ._files import write_atomically

# Where Voila serves the deck template's static folder, relative to its base URL.
ROUTE = "voila/templates/deck/static/plotly-widget.js"
BUNDLE_NAME = "plotly-widget.js"
STAMP_NAME = "plotly-widget.json"
# Raised when the bundle's making changes, so that a stamp from before rebuilds it
# (2: the lean bundle sets window.Plotly, as plotly's own code does).
BUNDLE_FORMAT = 2
ENVIRONMENT_VARIABLE = "DECK_PLOTLY_BUNDLE"
# A kernel that Voila started knows the base URL of Voila's routes (VOILA_BASE_URL); one that
# a Jupyter server with Voila's server extension started (`make rise`) is told it here.
BASE_URL_VARIABLE = "DECK_SERVER_BASE_URL"

# plotly's widget bundle is one esbuild module holding all of plotly.js as a CommonJS
# module, a UMD wrapper from its header `(function(root,factory){typeof module=="object"…`
# to its last words `return window.Plotly=Plotly,Plotly})`. Minified names differ by release.
PLOTLY_UMD_HEAD = re.compile(
    r'\(function\((\w+),(\w+)\)\{typeof (\w+)=="object"&&\3\.exports\?\3\.exports=\2\(\)'
    r":\1\.moduleName=\2\(\)\}\)"
)
PLOTLY_UMD_TAIL = re.compile(r"return window\.Plotly=(\w+),\1\}\)")

log = logging.getLogger(__name__)


def plotly_widget_code() -> Path:
    """The widget bundle inside the installed plotly package (found, not imported)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("plotly is not installed")
    return Path(spec.submodule_search_locations[0]) / "package_data" / "widgetbundle.js"


def lean_widget_bundle(bundle: str, plotly_js: str) -> str | None:
    """plotly's widget code with the plotly.js inside it swapped for `plotly_js` (a UMD
    build, such as the cartesian one), or None if the bundle is not shaped as expected."""
    heads = list(PLOTLY_UMD_HEAD.finditer(bundle))
    if len(heads) != 1:
        return None
    tails = list(PLOTLY_UMD_TAIL.finditer(bundle, heads[0].end()))
    if len(tails) != 1:
        return None
    module = heads[0].group(3)  # the CommonJS `module` the UMD wrapper fills in
    # window.Plotly as plotly's own wrapper sets it: the page draws its first paint with it
    return (
        bundle[: heads[0].start()]
        + f"(function(module){{{plotly_js}\nwindow.Plotly=module.exports}})({module})"
        + bundle[tails[0].end() :]
    )


def build(static_dir: Path, cartesian: Path | None) -> dict:
    """Write plotly-widget.js (lean if `cartesian` is a plotly.js build, plotly's own code
    otherwise) and its stamp into `static_dir`; the stamp, as written.

    Nothing is written when the stamp already describes these inputs."""
    source = plotly_widget_code()
    cartesian = cartesian if cartesian and cartesian.is_file() else None
    stamp = {
        "format": BUNDLE_FORMAT,
        "source_bytes": source.stat().st_size,  # which plotly release the code comes from
        "cartesian_bytes": cartesian.stat().st_size if cartesian else 0,
        "lean": False,
    }
    current = read_stamp(static_dir)
    if current and {**current, "lean": False} == stamp and (static_dir / BUNDLE_NAME).is_file():
        return current
    code = source.read_text(encoding="utf-8")
    if cartesian:
        lean = lean_widget_bundle(code, cartesian.read_text(encoding="utf-8"))
        if lean is None:
            log.warning("plotly's widget code is not shaped as expected: serving it whole")
        else:
            code, stamp["lean"] = lean, True
    write_atomically(static_dir / BUNDLE_NAME, code.encode("utf-8"))
    write_atomically(static_dir / STAMP_NAME, json.dumps(stamp).encode())
    return stamp


def read_stamp(static_dir: Path) -> dict | None:
    try:
        stamp = json.loads((static_dir / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and "source_bytes" in stamp else None


def announce(static_dirs: list[Path], environ: dict = os.environ) -> Path | None:
    """Tell the kernels this server starts about the served bundle (DECK_PLOTLY_BUNDLE):
    the first of `static_dirs` (the deck template's static folders, as Voila searches
    them) holding a bundle built from the installed plotly; None if none does."""
    try:
        current = plotly_widget_code().stat().st_size
    except OSError:
        current = None
    for folder in static_dirs:
        stamp = read_stamp(folder)
        if stamp and stamp["source_bytes"] == current and (folder / BUNDLE_NAME).is_file():
            environ[ENVIRONMENT_VARIABLE] = json.dumps({"route": ROUTE, "source_bytes": current})
            return folder
    log.warning(
        "The lean plotly code is missing or was built from another plotly (run `make serve`, "
        "or `python -m deck_server.plotly_bundle`): figures carry their own code."
    )
    environ.pop(ENVIRONMENT_VARIABLE, None)
    return None


def served_module(base_url: str, environ: dict = os.environ) -> str | None:
    """In a kernel: the module a figure uses to import the served bundle, or None when
    the server announced none or built it from another plotly than this kernel's."""
    try:
        served = json.loads(environ[ENVIRONMENT_VARIABLE])
        if served["source_bytes"] != plotly_widget_code().stat().st_size:
            return None
        route = served["route"]
    except (KeyError, ValueError, TypeError, OSError):
        return None
    url = json.dumps(base_url.rstrip("/") + "/" + route)
    # A blob module has no base of its own to resolve a path against: use the page's.
    return f"export default (await import(new URL({url}, document.baseURI).href)).default;\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the pages' lean plotly widget code.")
    parser.add_argument("static_dir", type=Path, help="the deck template's static folder")
    parser.add_argument("--cartesian", type=Path, help="plotly.js's cartesian build (UMD)")
    args = parser.parse_args(argv)
    stamp = build(args.static_dir, args.cartesian)
    kind = "with plotly.js's cartesian build" if stamp["lean"] else "plotly's own, whole"
    print(f"{args.static_dir / BUNDLE_NAME}: {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
