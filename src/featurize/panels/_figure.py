"""Plotly figures whose 4.8 MB widget code reaches the browser once per page, not per figure.

A plotly FigureWidget is an anywidget: its JavaScript travels inside every figure's state,
and the browser compiles it once per figure (the lecture has five; anywidget gives up on a
model that takes over 2 s to start). Under our Voila server the code is also served as one
file (etc/jupyter/voila.py puts it in the deck template's static folder), so a figure ships
a two-line module that imports that file instead: one download, one compile, cached by
the browser. Anywhere else (JupyterLab, nbconvert) figures keep plotly's own code inline.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import plotly
import plotly.graph_objects as go

# Where Voila serves the copy, relative to its base URL, and where that copy lives here.
BUNDLE_ROUTE = "voila/templates/deck/static/plotly-widget.js"
SERVED_BUNDLE = Path(__file__).resolve().parents[3] / "share" / "jupyter" / BUNDLE_ROUTE
PLOTLY_BUNDLE = Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"


def _shared_bundle_module(base_url: str) -> str | None:
    """The module that imports the served bundle, or None if the server does not serve it."""
    if not (SERVED_BUNDLE.is_file() and PLOTLY_BUNDLE.is_file()):
        return None
    if SERVED_BUNDLE.stat().st_size != PLOTLY_BUNDLE.stat().st_size:
        return None  # a copy from another plotly release: it would not match this kernel
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
