"""Plotly figures whose widget code reaches the browser once per page, not per figure.

A plotly FigureWidget is an anywidget: its JavaScript travels inside every figure's state,
and the browser compiles it once per figure (the lecture has five; anywidget gives up on a
model that takes over 2 s to start). Under our Voila server the code is also served as one
file (etc/jupyter/voila.py puts it in the deck template's static folder), so a figure ships
a two-line module that imports that file instead: one download, one compile, cached by
the browser. The served file also carries plotly.js's cartesian build instead of the full
one (1.5 MB of code instead of 4.9; etc/jupyter/voila.py builds it). Anywhere else
(JupyterLab, nbconvert) figures keep plotly's own code inline.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import plotly
import plotly.graph_objects as go

# The traces plotly.js's cartesian build draws (its README): the served file carries that
# build, so a panel drawing any other trace would stay blank (tests/test_panels.py checks).
LEAN_PLOTLY_TRACES = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour"}
    | {"image", "pie", "scatter", "scatterternary", "violin"}
)
# Where Voila serves the copy, relative to its base URL, and where that copy lives here.
BUNDLE_ROUTE = "voila/templates/deck/static/plotly-widget.js"
SERVED_BUNDLE = Path(__file__).resolve().parents[3] / "share" / "jupyter" / BUNDLE_ROUTE
PLOTLY_BUNDLE = Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"


def _shared_bundle_module(base_url: str) -> str | None:
    """The module that imports the served bundle, or None if the server does not serve it."""
    stamp = SERVED_BUNDLE.with_suffix(".json")  # written beside it by etc/jupyter/voila.py
    if not (SERVED_BUNDLE.is_file() and stamp.is_file() and PLOTLY_BUNDLE.is_file()):
        return None
    try:
        source_bytes = json.loads(stamp.read_text())["source_bytes"]
    except (ValueError, KeyError):
        return None
    if source_bytes != PLOTLY_BUNDLE.stat().st_size:
        return None  # built from another plotly release: it would not match this kernel
    url = json.dumps(base_url.rstrip("/") + "/" + BUNDLE_ROUTE)
    # A blob module has no base of its own to resolve a path against: use the page's.
    return f"export default (await import(new URL({url}, document.baseURI).href)).default;\n"


class FigureWidget(go.FigureWidget):
    """go.FigureWidget, loading its code from the served file when there is one."""

    _shared = (
        _shared_bundle_module(os.environ["VOILA_BASE_URL"])
        if "VOILA_BASE_URL" in os.environ
        else None
    )
    if _shared:
        _esm = _shared
